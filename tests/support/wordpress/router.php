<?php
/**
 * Router for PHP's built-in web server: what Apache's rewrite rules do for a WordPress site.
 *
 * Existing files under the document root are served (PHP ones run), the site's own wp-content
 * (WP_CONTENT_DIR, outside Debian's document root) serves its uploads, and every other path goes
 * to index.php, so pretty permalinks and /wp-json/ work. WORDPRESS_CONFIG picks Debian's
 * /etc/wordpress/config-<name>.php (see wp-config.php of Debian's wordpress package).
 */

$_SERVER['WORDPRESS_CONFIG'] = getenv( 'WORDPRESS_CONFIG' );
$distributor_root            = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$distributor_path            = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
$distributor_content         = getenv( 'WP_TEST_CONTENT_DIR' );

if ( $distributor_content && 0 === strpos( $distributor_path, '/wp-content/uploads/' ) ) {
	$distributor_file = realpath( $distributor_content . substr( $distributor_path, strlen( '/wp-content' ) ) );
	if ( $distributor_file && 0 === strpos( $distributor_file, realpath( $distributor_content ) ) && is_file( $distributor_file ) ) {
		header( 'Content-Type: ' . mime_content_type( $distributor_file ) );
		readfile( $distributor_file );
		return true;
	}
	http_response_code( 404 );
	return true;
}

$distributor_file = $distributor_root . $distributor_path;
if ( false !== strpos( $distributor_path, '..' ) ) {
	$distributor_file = $distributor_root . '/index.php';
} elseif ( is_dir( $distributor_file ) ) {
	$distributor_file = rtrim( $distributor_file, '/' ) . '/index.php';
}
if ( ! is_file( $distributor_file ) ) {
	$distributor_file = $distributor_root . '/index.php';
}
if ( '.php' !== substr( $distributor_file, -4 ) ) {
	return false; // A static file: the built-in server sends it.
}
$_SERVER['SCRIPT_FILENAME'] = $distributor_file;
$_SERVER['SCRIPT_NAME']     = substr( $distributor_file, strlen( $distributor_root ) );
$_SERVER['PHP_SELF']        = $_SERVER['SCRIPT_NAME'];
chdir( dirname( $distributor_file ) );
require $distributor_file;
