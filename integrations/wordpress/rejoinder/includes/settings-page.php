<?php
/**
 * Settings → rejoinder: the server's URL, the site name, the SSO secret, what the plugin does, and
 * "Import existing comments" (a WXR download for rejoinder's importer).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'admin_menu',
	function () {
		add_options_page( 'rejoinder', 'rejoinder', 'manage_options', 'rejoinder', 'rejoinder_settings_page' );
	}
);

add_action(
	'admin_init',
	function () {
		register_setting(
			'rejoinder',
			'rejoinder_url',
			array(
				'type'              => 'string',
				'sanitize_callback' => 'rejoinder_sanitize_url',
			)
		);
		register_setting(
			'rejoinder',
			'rejoinder_site',
			array(
				'type'              => 'string',
				'sanitize_callback' => 'rejoinder_sanitize_site',
			)
		);
		register_setting(
			'rejoinder',
			'rejoinder_sso_secret',
			array(
				'type'              => 'string',
				'sanitize_callback' => 'rejoinder_sanitize_secret',
			)
		);
		register_setting(
			'rejoinder',
			'rejoinder_sso_kid',
			array(
				'type'              => 'string',
				'sanitize_callback' => 'rejoinder_sanitize_kid',
			)
		);
		foreach ( array( 'rejoinder_noscript', 'rejoinder_counts' ) as $flag ) {
			register_setting(
				'rejoinder',
				$flag,
				array(
					'type'              => 'string',
					'sanitize_callback' => 'rejoinder_sanitize_flag',
				)
			);
		}
	}
);

/** An http(s) URL without a trailing slash, or '' (with a settings error) for anything else. */
function rejoinder_sanitize_url( $value ) {
	$value = trim( (string) $value );
	if ( '' === $value ) {
		return '';
	}
	$clean = esc_url_raw( $value, array( 'http', 'https' ) );
	if ( '' === $clean || ! wp_parse_url( $clean, PHP_URL_HOST ) ) {
		add_settings_error( 'rejoinder_url', 'rejoinder_url', __( 'The rejoinder URL must be an http or https address.', 'rejoinder' ) );
		return rejoinder_option( 'rejoinder_url' );
	}
	return untrailingslashit( $clean );
}

/** A rejoinder site name: letters, digits, '.', '_' and '-'. */
function rejoinder_sanitize_site( $value ) {
	$value = trim( (string) $value );
	if ( '' !== $value && ! preg_match( '/^[A-Za-z0-9._-]{1,100}$/', $value ) ) {
		add_settings_error( 'rejoinder_site', 'rejoinder_site', __( 'A site name has only letters, digits, dots, dashes and underscores.', 'rejoinder' ) );
		return rejoinder_option( 'rejoinder_site' );
	}
	return $value;
}

/** The SSO secret: an empty field keeps the secret already saved (it is never shown again). */
function rejoinder_sanitize_secret( $value ) {
	$value = trim( (string) $value );
	if ( isset( $_POST['rejoinder_sso_forget'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification -- options.php checked the nonce.
		return '';
	}
	if ( '' === $value ) {
		return rejoinder_option( 'rejoinder_sso_secret' );
	}
	if ( strlen( $value ) < 32 ) {
		add_settings_error( 'rejoinder_sso_secret', 'rejoinder_sso_secret', __( 'The SSO secret must be at least 32 characters long, as rejoinder requires.', 'rejoinder' ) );
		return rejoinder_option( 'rejoinder_sso_secret' );
	}
	return $value;
}

/** A key id: printable ASCII without spaces. */
function rejoinder_sanitize_kid( $value ) {
	$value = trim( (string) $value );
	return preg_match( '/^[\x21-\x7e]{0,100}$/', $value ) ? $value : rejoinder_option( 'rejoinder_sso_kid' );
}

/** A checkbox: '1' when ticked, '0' otherwise. */
function rejoinder_sanitize_flag( $value ) {
	return '1' === (string) $value ? '1' : '0';
}

/** Settings → rejoinder. */
function rejoinder_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$server = rejoinder_server_url();
	$site   = rejoinder_option( 'rejoinder_site' );
	$origin = wp_parse_url( home_url(), PHP_URL_SCHEME ) . '://' . wp_parse_url( home_url(), PHP_URL_HOST )
		. ( wp_parse_url( home_url(), PHP_URL_PORT ) ? ':' . wp_parse_url( home_url(), PHP_URL_PORT ) : '' );
	?>
	<div class="wrap">
	<h1><?php esc_html_e( 'rejoinder comments', 'rejoinder' ); ?></h1>
	<?php if ( '' !== $server ) : ?>
		<p id="rejoinder-status">
		<?php
		if ( null !== rejoinder_remote_get( '/livez' ) ) {
			/* translators: %s: the rejoinder server's URL */
			printf( esc_html__( 'rejoinder at %s answers.', 'rejoinder' ), esc_html( $server ) );
		} else {
			/* translators: %s: the rejoinder server's URL */
			printf( esc_html__( 'rejoinder at %s does not answer from this WordPress server: the widget may still work in browsers, but the thread for readers without JavaScript and the comment counts need it.', 'rejoinder' ), esc_html( $server ) );
		}
		?>
		</p>
	<?php endif; ?>
	<form method="post" action="options.php">
	<?php settings_fields( 'rejoinder' ); ?>
	<table class="form-table" role="presentation">
	<tr><th scope="row"><label for="rejoinder_url"><?php esc_html_e( 'rejoinder URL', 'rejoinder' ); ?></label></th>
	<td><input name="rejoinder_url" id="rejoinder_url" type="url" class="regular-text" value="<?php echo esc_attr( $server ); ?>" placeholder="https://comments.example.org">
	<p class="description"><?php esc_html_e( 'The public address of your rejoinder server. Leave it empty to give the comments back to WordPress.', 'rejoinder' ); ?></p></td></tr>
	<tr><th scope="row"><label for="rejoinder_site"><?php esc_html_e( 'Site name', 'rejoinder' ); ?></label></th>
	<td><input name="rejoinder_site" id="rejoinder_site" type="text" class="regular-text" value="<?php echo esc_attr( $site ); ?>" placeholder="blog">
	<p class="description">
	<?php
	/* translators: %s: the command that creates the site on the rejoinder server */
	printf( esc_html__( 'The rejoinder site that allows this blog’s address: %s', 'rejoinder' ), '<code>rejoinder site add ' . esc_html( '' !== $site ? $site : 'blog' ) . ' --origin ' . esc_html( $origin ) . '</code>' );
	?>
	</p></td></tr>
	<tr><th scope="row"><label for="rejoinder_sso_secret"><?php esc_html_e( 'SSO secret', 'rejoinder' ); ?></label></th>
	<td><input name="rejoinder_sso_secret" id="rejoinder_sso_secret" type="password" class="regular-text" value="" autocomplete="new-password">
	<?php if ( '' !== rejoinder_option( 'rejoinder_sso_secret' ) ) : ?>
		<label><input type="checkbox" name="rejoinder_sso_forget" value="1"> <?php esc_html_e( 'Remove the saved secret', 'rejoinder' ); ?></label>
	<?php endif; ?>
	<p class="description"><?php echo '' !== rejoinder_option( 'rejoinder_sso_secret' ) ? esc_html__( 'A secret is saved; leave the field empty to keep it.', 'rejoinder' ) : esc_html__( 'Optional. With the shared secret of the site’s SSO provider (preset = "sso", at least 32 characters), logged-in WordPress users comment under their WordPress name without signing in again.', 'rejoinder' ); ?></p></td></tr>
	<tr><th scope="row"><label for="rejoinder_sso_kid"><?php esc_html_e( 'SSO key id', 'rejoinder' ); ?></label></th>
	<td><input name="rejoinder_sso_kid" id="rejoinder_sso_kid" type="text" class="regular-text" value="<?php echo esc_attr( rejoinder_option( 'rejoinder_sso_kid' ) ); ?>">
	<p class="description"><?php esc_html_e( 'The kid of the secret in rejoinder’s configuration; may stay empty when the provider has one key.', 'rejoinder' ); ?></p></td></tr>
	<tr><th scope="row"><?php esc_html_e( 'Without JavaScript', 'rejoinder' ); ?></th>
	<td><input type="hidden" name="rejoinder_noscript" value="0"><label><input type="checkbox" name="rejoinder_noscript" id="rejoinder_noscript" value="1" <?php checked( rejoinder_option( 'rejoinder_noscript' ), '1' ); ?>> <?php esc_html_e( 'Include the thread, rendered by rejoinder, in the page (for readers without JavaScript and for search engines)', 'rejoinder' ); ?></label></td></tr>
	<tr><th scope="row"><?php esc_html_e( 'Comment counts', 'rejoinder' ); ?></th>
	<td><input type="hidden" name="rejoinder_counts" value="0"><label><input type="checkbox" name="rejoinder_counts" id="rejoinder_counts" value="1" <?php checked( rejoinder_option( 'rejoinder_counts' ), '1' ); ?>> <?php esc_html_e( 'Show rejoinder’s comment counts wherever the theme shows a post’s number of comments', 'rejoinder' ); ?></label></td></tr>
	</table>
	<?php submit_button(); ?>
	</form>

	<h2 id="rejoinder-import"><?php esc_html_e( 'Import existing comments', 'rejoinder' ); ?></h2>
	<p>
	<?php
	/* translators: %d: number of comments */
	printf( esc_html( _n( 'WordPress holds %d comment.', 'WordPress holds %d comments.', rejoinder_exportable_count(), 'rejoinder' ) ), (int) rejoinder_exportable_count() );
	echo ' ';
	esc_html_e( 'Download them as a WXR file and give it to rejoinder: held comments go to its moderation queue, spam stays spam, replies keep their place.', 'rejoinder' );
	?>
	</p>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
	<input type="hidden" name="action" value="rejoinder_export">
	<?php wp_nonce_field( 'rejoinder_export' ); ?>
	<?php submit_button( __( 'Download comments (WXR)', 'rejoinder' ), 'secondary', 'rejoinder-export', false ); ?>
	</form>
	<p><?php esc_html_e( 'Then, on the rejoinder server (try --dry-run first):', 'rejoinder' ); ?></p>
	<pre><code>rejoinder import wxr <?php echo esc_html( sanitize_file_name( wp_parse_url( home_url(), PHP_URL_HOST ) . '-comments-' . gmdate( 'Y-m-d' ) . '.xml' ) ); ?> --site <?php echo esc_html( '' !== $site ? $site : 'blog' ); ?></code></pre>
	<?php if ( '' !== $server ) : ?>
		<p>
		<?php
		/* translators: %s: link to rejoinder's import page */
		printf( esc_html__( 'or upload the file at %s (rejoinder’s moderation pages, as an admin of the site).', 'rejoinder' ), '<a href="' . esc_url( $server . '/admin/imports' ) . '">' . esc_html( $server . '/admin/imports' ) . '</a>' );
		?>
		</p>
	<?php endif; ?>
	</div>
	<?php
}
