<?php
/**
 * Plugin Name:       rejoinder comments
 * Plugin URI:        https://github.com/rejoinder/rejoinder
 * Description:       Replaces the theme's comments with a self-hosted rejoinder discussion: the widget, the same thread rendered on the server for readers without JavaScript and for search engines, comment counts from rejoinder, sign-in of logged-in WordPress users (publisher SSO) and an export of the existing comments for rejoinder's importer.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       rejoinder
 *
 * @package Rejoinder
 */

/*
 * rejoinder comments for WordPress
 * Copyright (C) 2026 the rejoinder authors
 *
 * This program is free software; you can redistribute it and/or modify it under the terms of the GNU
 * General Public License as published by the Free Software Foundation; either version 2 of the License,
 * or (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without even
 * the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public
 * License for more details.
 *
 * You should have received a copy of the GNU General Public License along with this program; if not,
 * see <https://www.gnu.org/licenses/>.
 */

defined( 'ABSPATH' ) || exit;

define( 'REJOINDER_PLUGIN_DIR', __DIR__ );

require_once __DIR__ . '/includes/options.php';
require_once __DIR__ . '/includes/remote.php';
require_once __DIR__ . '/includes/sso.php';
require_once __DIR__ . '/includes/comments.php';
require_once __DIR__ . '/includes/counts.php';
require_once __DIR__ . '/includes/export.php';
require_once __DIR__ . '/includes/settings-page.php';

register_uninstall_hook( __FILE__, 'rejoinder_uninstall' );

/** Removes the plugin's options and cached answers when the plugin is deleted. */
function rejoinder_uninstall() {
	foreach ( array_keys( rejoinder_option_defaults() ) as $name ) {
		delete_option( $name );
	}
}
