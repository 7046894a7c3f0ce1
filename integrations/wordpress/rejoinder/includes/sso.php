<?php
/**
 * Publisher SSO: a short-lived token (an HS256 JWT) for the WordPress user who is logged in, signed with the
 * secret shared with the rejoinder site's `preset = "sso"` provider. The widget exchanges it for a rejoinder
 * session (`POST /api/auth/sso`), so the user comments under their WordPress name without a second login.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

/** Seconds a token is valid; rejoinder's provider refuses tokens living longer than its `max_age` (300). */
const REJOINDER_SSO_LIFETIME = 300;

/** Base64url without padding (RFC 7515). */
function rejoinder_base64url( $bytes ) {
	return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
}

/**
 * Signs `$claims` as a compact JWS with HS256.
 *
 * @param array  $claims The JWT claims.
 * @param string $secret The shared secret, used as written (its UTF-8 bytes), as rejoinder reads it.
 * @param string $kid    The key id, or '' to leave the `kid` header out.
 */
function rejoinder_jwt_hs256( array $claims, $secret, $kid = '' ) {
	$header = array(
		'alg' => 'HS256',
		'typ' => 'JWT',
	);
	if ( '' !== $kid ) {
		$header['kid'] = $kid;
	}
	$signing_input = rejoinder_base64url( wp_json_encode( $header ) ) . '.'
		. rejoinder_base64url( wp_json_encode( $claims, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) );
	return $signing_input . '.' . rejoinder_base64url( hash_hmac( 'sha256', $signing_input, $secret, true ) );
}

/**
 * The claims for a WordPress user. `sub` is the user's id on this blog (stable, never reused); the name is
 * the user's public display name, and the profile link their website when they gave one. No email address
 * is sent: WordPress does not verify addresses. The filter `rejoinder_sso_claims` may add or change claims
 * (e.g. `picture` => get_avatar_url( $user )).
 *
 * @param WP_User $user The logged-in user.
 * @param int     $now  Seconds since the epoch.
 */
function rejoinder_sso_claims( $user, $now ) {
	$claims = array(
		'sub'  => 'wp-' . get_current_blog_id() . '-' . $user->ID,
		'aud'  => rejoinder_option( 'rejoinder_site' ),
		'iat'  => $now,
		'exp'  => $now + REJOINDER_SSO_LIFETIME,
		'jti'  => wp_generate_uuid4(),
		'name' => '' !== $user->display_name ? $user->display_name : $user->user_login,
	);
	$website = esc_url_raw( $user->user_url, array( 'http', 'https' ) );
	if ( '' !== $website ) {
		$claims['profile'] = $website;
	}
	return apply_filters( 'rejoinder_sso_claims', $claims, $user );
}

/** A token for the user logged in now, or '' when nobody is logged in or SSO is not configured. */
function rejoinder_sso_token() {
	$secret = rejoinder_option( 'rejoinder_sso_secret' );
	if ( '' === $secret || '' === rejoinder_option( 'rejoinder_site' ) || ! is_user_logged_in() ) {
		return '';
	}
	$claims = rejoinder_sso_claims( wp_get_current_user(), time() );
	return rejoinder_jwt_hs256( $claims, $secret, rejoinder_option( 'rejoinder_sso_kid' ) );
}

/*
 * Logging out of WordPress also signs the reader out of the comments: the next page this browser loads
 * tells the widget to log out (window.rejoinder.logout()), once.
 */
add_action(
	'wp_logout',
	function () {
		if ( '' !== rejoinder_option( 'rejoinder_sso_secret' ) && ! headers_sent() ) {
			setcookie( 'rejoinder_logout', '1', 0, '/', COOKIE_DOMAIN, is_ssl(), false );
		}
	}
);

/** Whether this request follows a WordPress logout whose comment session is still to be ended. */
function rejoinder_pending_logout() {
	return isset( $_COOKIE['rejoinder_logout'] ) && ! is_user_logged_in();
}
