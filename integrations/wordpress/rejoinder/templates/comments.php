<?php
/**
 * Replaces the theme's comments.php: rejoinder's widget, with the server-rendered thread inside it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * @package Rejoinder
 */

defined( 'ABSPATH' ) || exit;

$rejoinder_post = get_post();
if ( ! $rejoinder_post || post_password_required( $rejoinder_post ) ) {
	return;
}
$rejoinder_fragment = '1' === rejoinder_option( 'rejoinder_noscript' ) ? rejoinder_fragment( $rejoinder_post ) : null;
?>
<section id="comments" class="comments-area rejoinder-comments">
<div
<?php
foreach ( rejoinder_container_attributes( $rejoinder_post ) as $rejoinder_name => $rejoinder_value ) {
	echo ' ' . esc_attr( $rejoinder_name ) . '="' . esc_attr( $rejoinder_value ) . '"';
}
?>
>
<?php
if ( null !== $rejoinder_fragment ) {
	// rejoinder's server-rendered thread: sanitised and escaped by rejoinder, which the site trusts.
	echo $rejoinder_fragment; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped
} else {
	?>
	<p class="rejoinder-fallback"><a href="<?php echo esc_url( rejoinder_thread_page_url( $rejoinder_post ) ); ?>"><?php esc_html_e( 'Read the comments and reply', 'rejoinder' ); ?></a></p>
	<?php
}
?>
</div>
<script id="rejoinder-embed" src="<?php echo esc_url( rejoinder_server_url() . '/embed.js' ); ?>" async></script>
<?php if ( rejoinder_pending_logout() ) : ?>
<script>
// WordPress logged this reader out: end their comment session too, once the widget has started.
(function () {
	function done() { document.cookie = 'rejoinder_logout=; Max-Age=0; path=/'; }
	function logout() { window.rejoinder.logout().then(done, done); }
	if (document.readyState === 'complete') { logout(); } else { window.addEventListener('load', logout); }
})();
</script>
<?php endif; ?>
</section>
