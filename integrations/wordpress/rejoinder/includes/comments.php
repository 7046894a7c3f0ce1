<?php
/**
 * The discussion under a post: the theme's comment template is replaced by rejoinder's widget, with the
 * thread as rejoinder renders it on the server inside the widget's container (for readers without
 * JavaScript and for search engines; the widget replaces it when it starts).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

add_filter(
	'comments_template',
	function ( $template ) {
		return rejoinder_enabled() ? REJOINDER_PLUGIN_DIR . '/templates/comments.php' : $template;
	},
	100
);

/*
 * rejoinder takes the comments: WordPress's own comment endpoint (wp-comments-post.php), which the theme's
 * form no longer shows but spammers still find, refuses them.
 */
add_action(
	'pre_comment_on_post',
	function () {
		if ( rejoinder_enabled() ) {
			wp_die(
				esc_html__( 'Comments on this site are handled by rejoinder: please use the form under the post.', 'rejoinder' ),
				esc_html__( 'Comments', 'rejoinder' ),
				array( 'response' => 403 )
			);
		}
	}
);

add_action(
	'wp_enqueue_scripts',
	function () {
		if ( ! rejoinder_enabled() || ! is_singular() ) {
			return;
		}
		if ( '1' === rejoinder_option( 'rejoinder_noscript' ) ) {
			// The server-rendered thread's stylesheet (its rj- classes); the widget brings its own.
			wp_enqueue_style( 'rejoinder-noscript', rejoinder_server_url() . '/static/noscript.css', array(), null ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion
		}
	}
);

/** The attributes of the widget's container for `$post` (name => value, unescaped). */
function rejoinder_container_attributes( $post ) {
	$attributes = array(
		'id'         => 'rejoinder',
		'data-url'   => rejoinder_post_url( $post ),
		'data-title' => wp_strip_all_tags( get_the_title( $post ) ),
		'data-lang'  => rejoinder_language(),
	);
	$token = rejoinder_sso_token();
	if ( '' !== $token ) {
		$attributes['data-sso-token'] = $token;
	}
	return apply_filters( 'rejoinder_container_attributes', $attributes, $post );
}

/** The full thread page on rejoinder, where readers without JavaScript read and reply. */
function rejoinder_thread_page_url( $post ) {
	return rejoinder_server_url() . '/thread?' . http_build_query(
		array(
			'url'   => rejoinder_post_url( $post ),
			'title' => wp_strip_all_tags( get_the_title( $post ) ),
			'lang'  => rejoinder_language(),
		),
		'',
		'&',
		PHP_QUERY_RFC3986
	);
}
