<?php
/**
 * The plugin's settings: where rejoinder is, which of its sites this blog is, and the SSO secret.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

/** Every option the plugin keeps, with its default. */
function rejoinder_option_defaults() {
	return array(
		'rejoinder_url'        => '',   // The rejoinder server's public URL, e.g. https://comments.example.org.
		'rejoinder_site'       => '',   // The rejoinder site name (`rejoinder site add NAME --origin …`).
		'rejoinder_sso_secret' => '',   // HS256 shared secret of the site's `preset = "sso"` provider.
		'rejoinder_sso_kid'    => '',   // The key id (`kid`) of that secret; empty when the provider has one key.
		'rejoinder_noscript'   => '1',  // Include the server-rendered thread in the page.
		'rejoinder_counts'     => '1',  // Fill the theme's comment counts from rejoinder.
	);
}

/** The value of one of the plugin's options (a string). */
function rejoinder_option( $name ) {
	$defaults = rejoinder_option_defaults();
	$value    = get_option( $name, $defaults[ $name ] );
	return is_string( $value ) ? $value : (string) $defaults[ $name ];
}

/** The rejoinder server's URL without a trailing slash, or '' when it is not configured. */
function rejoinder_server_url() {
	return untrailingslashit( rejoinder_option( 'rejoinder_url' ) );
}

/** Whether the plugin is configured enough to replace the theme's comments. */
function rejoinder_enabled() {
	return '' !== rejoinder_server_url();
}

/** The URL that identifies a post's thread: its permalink, as WordPress's own export (WXR) has it. */
function rejoinder_post_url( $post = null ) {
	return (string) get_permalink( $post );
}
