<?php
/**
 * The theme's comment counts ("3 Comments" on the front page, archives and the post itself) come from
 * rejoinder: the counts of all posts a query returns are fetched in one request (`GET /api/counts`) and
 * answer WordPress's `get_comments_number`. When rejoinder does not answer, WordPress's own number stays.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

/** Post id => count, for the posts of this request. */
$GLOBALS['rejoinder_counts'] = array();

/** Fetches the counts of `$posts` that are not known yet, in one request. */
function rejoinder_prefetch_counts( array $posts ) {
	$urls = array();
	foreach ( $posts as $post ) {
		if ( $post instanceof WP_Post && ! isset( $GLOBALS['rejoinder_counts'][ $post->ID ] ) && 'publish' === $post->post_status ) {
			$urls[ $post->ID ] = rejoinder_post_url( $post );
		}
	}
	if ( ! $urls ) {
		return;
	}
	$counts = rejoinder_fetch_counts( array_values( $urls ) );
	foreach ( $urls as $id => $url ) {
		if ( isset( $counts[ $url ] ) ) {
			$GLOBALS['rejoinder_counts'][ $id ] = $counts[ $url ];
		}
	}
}

add_filter(
	'the_posts',
	function ( $posts, $query ) {
		if ( rejoinder_enabled() && '1' === rejoinder_option( 'rejoinder_counts' ) && ! is_admin() && $query->is_main_query() ) {
			rejoinder_prefetch_counts( $posts );
		}
		return $posts;
	},
	10,
	2
);

add_filter(
	'get_comments_number',
	function ( $count, $post_id ) {
		if ( ! rejoinder_enabled() || '1' !== rejoinder_option( 'rejoinder_counts' ) || is_admin() ) {
			return $count;
		}
		if ( ! isset( $GLOBALS['rejoinder_counts'][ $post_id ] ) ) {
			$post = get_post( $post_id );
			if ( $post ) {
				rejoinder_prefetch_counts( array( $post ) );  // A post outside the main query (a widget, a block).
			}
		}
		return isset( $GLOBALS['rejoinder_counts'][ $post_id ] ) ? $GLOBALS['rejoinder_counts'][ $post_id ] : $count;
	},
	10,
	2
);
