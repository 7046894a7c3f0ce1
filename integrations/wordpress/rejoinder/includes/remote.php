<?php
/**
 * What the plugin asks rejoinder on the server side: the thread's HTML for readers without JavaScript, and
 * comment counts. Answers are cached in transients for a minute, and a failure is never fatal: the page
 * then carries a link to the thread page instead, and the theme's counts stay as WordPress has them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

/** Seconds a fragment or a count is kept before rejoinder is asked again (filter: rejoinder_cache_seconds). */
function rejoinder_cache_seconds() {
	return (int) apply_filters( 'rejoinder_cache_seconds', 60 );
}

/**
 * GET a path of the rejoinder server; returns the body, or null on any failure.
 *
 * @param string $path_and_query E.g. '/thread/fragment?url=…'.
 */
function rejoinder_remote_get( $path_and_query ) {
	$server = rejoinder_server_url();
	if ( '' === $server ) {
		return null;
	}
	$response = wp_remote_get(
		$server . $path_and_query,
		array(
			'timeout'     => 3,
			'redirection' => 0,
			'headers'     => array( 'Accept-Language' => str_replace( '_', '-', get_locale() ) ),
		)
	);
	if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
		return null;
	}
	return (string) wp_remote_retrieve_body( $response );
}

/**
 * The server-rendered thread of a post (`GET /thread/fragment`), or null when rejoinder did not answer.
 * rejoinder sanitises every comment and escapes every name in it; the plugin inserts it as it comes.
 */
function rejoinder_fragment( $post ) {
	$url   = rejoinder_post_url( $post );
	$cache = 'rejoinder_fragment_' . md5( rejoinder_server_url() . "\n" . $url . "\n" . get_locale() );
	$found = get_transient( $cache );
	if ( is_string( $found ) ) {
		return $found;
	}
	$query = http_build_query(
		array(
			'url'   => $url,
			'title' => get_the_title( $post ),
			'lang'  => rejoinder_language(),
		),
		'',
		'&',
		PHP_QUERY_RFC3986
	);
	$html  = rejoinder_remote_get( '/thread/fragment?' . $query );
	if ( null === $html ) {
		return null;
	}
	if ( rejoinder_cache_seconds() > 0 ) {
		set_transient( $cache, $html, rejoinder_cache_seconds() );
	}
	return $html;
}

/**
 * Comment counts of many URLs in one request (`GET /api/counts`): URL => number of public comments.
 * URLs rejoinder did not answer for are missing from the result.
 *
 * @param string[] $urls Post permalinks.
 */
function rejoinder_fetch_counts( array $urls ) {
	$counts  = array();
	$missing = array();
	foreach ( array_unique( $urls ) as $url ) {
		$found = get_transient( 'rejoinder_count_' . md5( rejoinder_server_url() . "\n" . $url ) );
		if ( false !== $found ) {
			$counts[ $url ] = (int) $found;
		} else {
			$missing[] = $url;
		}
	}
	foreach ( array_chunk( $missing, 200 ) as $chunk ) {  // The API takes up to 200 URLs a request.
		$query = implode(
			'&',
			array_map(
				function ( $url ) {
					return 'url=' . rawurlencode( $url );
				},
				$chunk
			)
		);
		$body   = rejoinder_remote_get( '/api/counts?' . $query );
		$answer = null === $body ? null : json_decode( $body, true );
		if ( ! is_array( $answer ) || ! isset( $answer['counts'] ) || ! is_array( $answer['counts'] ) ) {
			continue;
		}
		foreach ( $chunk as $url ) {
			if ( isset( $answer['counts'][ $url ]['comments'] ) ) {
				$counts[ $url ] = (int) $answer['counts'][ $url ]['comments'];
				if ( rejoinder_cache_seconds() <= 0 ) {
					continue;  // A transient of 0 seconds would never expire.
				}
				set_transient(
					'rejoinder_count_' . md5( rejoinder_server_url() . "\n" . $url ),
					$counts[ $url ],
					rejoinder_cache_seconds()
				);
			}
		}
	}
	return $counts;
}

/** The reader-facing language for rejoinder (its language files are named like `pt-BR` or `de`). */
function rejoinder_language() {
	return str_replace( '_', '-', substr( get_locale(), 0, 5 ) );
}
