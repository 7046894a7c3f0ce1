<?php
/**
 * "Import existing comments": the blog's comments as a WordPress eXtended RSS file (WXR 1.2, the format of
 * Tools → Export, with the comments only), which rejoinder's WXR importer reads: `rejoinder import wxr FILE
 * --site NAME`, or the upload form at rejoinder's /admin/imports. Threads are keyed by each post's
 * permalink, the same URL the widget uses, so imported comments appear under their posts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

/** A CDATA section holding `$text` (a `]]>` inside is split across two sections). */
function rejoinder_cdata( $text ) {
	$text = wp_check_invalid_utf8( (string) $text, true );
	return '<![CDATA[' . str_replace( ']]>', ']]]]><![CDATA[>', $text ) . ']]>';
}

/** How many comments the export holds (readers' comments only: no pingbacks or trackbacks). */
function rejoinder_exportable_count() {
	return (int) get_comments(
		array(
			'count'  => true,
			'status' => 'all',
			'type'   => 'comment',
		)
	);
}

/**
 * Writes the WXR of every post and page that has comments to `$out` (a stream), 100 posts at a time.
 *
 * @param resource $out Where to write.
 */
function rejoinder_write_wxr( $out ) {
	global $wpdb;
	fwrite( $out, '<?xml version="1.0" encoding="UTF-8"?>' . "\n" );
	fwrite( $out, '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">' . "\n<channel>\n" );
	fwrite( $out, '<title>' . rejoinder_cdata( get_bloginfo_rss( 'name' ) ) . "</title>\n" );
	fwrite( $out, '<link>' . esc_url( home_url() ) . "</link>\n" );
	fwrite( $out, "<wp:wxr_version>1.2</wp:wxr_version>\n" );
	fwrite( $out, '<wp:base_site_url>' . esc_url( network_home_url() ) . "</wp:base_site_url>\n" );
	fwrite( $out, '<wp:base_blog_url>' . esc_url( home_url() ) . "</wp:base_blog_url>\n" );
	$last = 0;
	do {
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT DISTINCT comment_post_ID FROM {$wpdb->comments} WHERE comment_post_ID > %d AND comment_type IN ('', 'comment') ORDER BY comment_post_ID LIMIT 100",
				$last
			)
		);
		foreach ( $ids as $id ) {
			$last = (int) $id;
			rejoinder_write_item( $out, get_post( $last ) );
		}
	} while ( count( $ids ) === 100 );
	fwrite( $out, "</channel>\n</rss>\n" );
}

/**
 * One `<item>`: the post and its comments, oldest first, with their status, parent and author.
 *
 * @param resource     $out  Where to write.
 * @param WP_Post|null $post The post.
 */
function rejoinder_write_item( $out, $post ) {
	if ( ! $post ) {
		return;
	}
	$comments = get_comments(
		array(
			'post_id' => $post->ID,
			'status'  => 'all',
			'type'    => 'comment',
			'orderby' => 'comment_ID',
			'order'   => 'ASC',
		)
	);
	$xml  = "<item>\n";
	$xml .= '<title>' . rejoinder_cdata( get_the_title( $post ) ) . "</title>\n";
	$xml .= '<link>' . esc_url( rejoinder_post_url( $post ) ) . "</link>\n";
	$xml .= '<wp:post_id>' . (int) $post->ID . "</wp:post_id>\n";
	$xml .= '<wp:post_type>' . rejoinder_cdata( $post->post_type ) . "</wp:post_type>\n";
	$xml .= '<wp:status>' . rejoinder_cdata( $post->post_status ) . "</wp:status>\n";
	foreach ( $comments as $c ) {
		$xml .= "<wp:comment>\n";
		$xml .= '<wp:comment_id>' . (int) $c->comment_ID . "</wp:comment_id>\n";
		$xml .= '<wp:comment_author>' . rejoinder_cdata( $c->comment_author ) . "</wp:comment_author>\n";
		$xml .= '<wp:comment_author_email>' . rejoinder_cdata( $c->comment_author_email ) . "</wp:comment_author_email>\n";
		$xml .= '<wp:comment_author_url>' . esc_url( $c->comment_author_url ) . "</wp:comment_author_url>\n";
		$xml .= '<wp:comment_author_IP>' . rejoinder_cdata( $c->comment_author_IP ) . "</wp:comment_author_IP>\n";
		$xml .= '<wp:comment_date>' . rejoinder_cdata( $c->comment_date ) . "</wp:comment_date>\n";
		$xml .= '<wp:comment_date_gmt>' . rejoinder_cdata( $c->comment_date_gmt ) . "</wp:comment_date_gmt>\n";
		$xml .= '<wp:comment_content>' . rejoinder_cdata( $c->comment_content ) . "</wp:comment_content>\n";
		$xml .= '<wp:comment_approved>' . rejoinder_cdata( $c->comment_approved ) . "</wp:comment_approved>\n";
		$xml .= '<wp:comment_type>' . rejoinder_cdata( 'comment' ) . "</wp:comment_type>\n";
		$xml .= '<wp:comment_parent>' . (int) $c->comment_parent . "</wp:comment_parent>\n";
		$xml .= '<wp:comment_user_id>' . (int) $c->user_id . "</wp:comment_user_id>\n";
		$xml .= "</wp:comment>\n";
	}
	$xml .= "</item>\n";
	fwrite( $out, $xml );
}

/** admin-post.php?action=rejoinder_export: the download, for administrators, with a nonce. */
add_action(
	'admin_post_rejoinder_export',
	function () {
		if ( ! current_user_can( 'export' ) ) {
			wp_die( esc_html__( 'You may not export this site’s comments.', 'rejoinder' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( 'rejoinder_export' );
		$name = sanitize_file_name( wp_parse_url( home_url(), PHP_URL_HOST ) . '-comments-' . gmdate( 'Y-m-d' ) . '.xml' );
		nocache_headers();
		header( 'Content-Type: application/xml; charset=UTF-8' );
		header( 'Content-Disposition: attachment; filename="' . $name . '"' );
		$out = fopen( 'php://output', 'w' );
		rejoinder_write_wxr( $out );
		fclose( $out );
		exit;
	}
);
