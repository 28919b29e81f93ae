<?php
/**
 * A small stand-in for WP-CLI (not packaged by Debian 12): `php wp.php <command> [json]`.
 *
 * Environment: WORDPRESS_CONFIG names /etc/wordpress/config-<name>.php, WP_TEST_HOST is the
 * site's host:port. Commands print one JSON document on stdout.
 *
 * - install {"title","admin_password","email"}: wp_install without its sample posts, pretty
 *   permalinks, the Asia/Jakarta time zone, an author "reporter", an application password
 *   for each; prints the user ids and application passwords.
 * - activate {"plugin"}: activate_plugin (runs the plugin's activation hook).
 * - option {"name","value"}: update_option.
 * - uninstall {"plugin"}: deactivate, then uninstall_plugin (runs the plugin's uninstall.php).
 * - traces: the plugin's options, post meta keys, cron hooks and the roles with its capability.
 */

$_SERVER['WORDPRESS_CONFIG'] = getenv( 'WORDPRESS_CONFIG' );
$_SERVER['HTTP_HOST']        = getenv( 'WP_TEST_HOST' );
$_SERVER['SERVER_NAME']      = preg_replace( '/:.*/', '', $_SERVER['HTTP_HOST'] );
$_SERVER['REQUEST_URI']      = '/';
$_SERVER['REQUEST_METHOD']   = 'GET';

$wp_test_command = $argv[1];
$wp_test_args    = isset( $argv[2] ) ? json_decode( $argv[2], true ) : array();

// No WP-Cron from here: spawning it would take the cron lock for a minute (WP_CRON_LOCK_TIMEOUT)
// while no server may be up to run it. Hooks can be added before WordPress loads this way.
$wp_filter = array(
	'pre_get_ready_cron_jobs' => array(
		10 => array(
			array(
				'function'      => '__return_empty_array',
				'accepted_args' => 1,
			),
		),
	),
);

if ( 'install' === $wp_test_command ) {
	define( 'WP_INSTALLING', true );
}
require '/usr/share/wordpress/wp-load.php';

switch ( $wp_test_command ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$wp_test_result = wp_install( $wp_test_args['title'], 'admin', $wp_test_args['email'], false, '', wp_slash( $wp_test_args['admin_password'] ) );
		// wp_install's sample content carries times of the UTC site it was made on: remove it
		// before the site moves to its newsroom's time zone.
		foreach ( get_posts(
			array(
				'post_type'   => 'any',
				'post_status' => 'any',
				'numberposts' => -1,
			)
		) as $wp_test_post ) {
			wp_delete_post( $wp_test_post->ID, true );
		}
		update_option( 'permalink_structure', '/%year%/%monthnum%/%postname%/' );
		update_option( 'timezone_string', 'Asia/Jakarta' );
		flush_rewrite_rules();
		$wp_test_admin  = (int) $wp_test_result['user_id'];
		$wp_test_author = wp_insert_user(
			array(
				'user_login'   => 'reporter',
				'user_pass'    => $wp_test_args['admin_password'],
				'user_email'   => 'reporter@example.org',
				'role'         => 'author',
				'display_name' => 'Reporter Satu',
			)
		);
		$wp_test_out    = array(
			'admin_id'  => $wp_test_admin,
			'author_id' => $wp_test_author,
		);
		foreach ( array(
			'admin'  => $wp_test_admin,
			'author' => $wp_test_author,
		) as $wp_test_name => $wp_test_id ) {
			$wp_test_created = WP_Application_Passwords::create_new_application_password( $wp_test_id, array( 'name' => 'tests' ) );
			if ( is_wp_error( $wp_test_created ) ) {
				fwrite( STDERR, $wp_test_created->get_error_message() . "\n" );
				exit( 1 );
			}
			$wp_test_out[ $wp_test_name . '_app_password' ] = $wp_test_created[0];
		}
		echo wp_json_encode( $wp_test_out );
		break;
	case 'activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$wp_test_result = activate_plugin( $wp_test_args['plugin'] );
		if ( is_wp_error( $wp_test_result ) ) {
			fwrite( STDERR, $wp_test_result->get_error_message() . "\n" );
			exit( 1 );
		}
		echo wp_json_encode( get_option( 'active_plugins' ) );
		break;
	case 'option':
		update_option( $wp_test_args['name'], $wp_test_args['value'] );
		echo wp_json_encode( get_option( $wp_test_args['name'] ) );
		break;
	case 'uninstall':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( $wp_test_args['plugin'] );
		uninstall_plugin( $wp_test_args['plugin'] );
		echo wp_json_encode( true );
		break;
	case 'traces':
		// What the plugin may leave in the database: options, post meta, cron events, caps.
		global $wpdb;
		$wp_test_events = array();
		foreach ( (array) _get_cron_array() as $wp_test_hooks ) {
			$wp_test_events = array_merge( $wp_test_events, array_keys( (array) $wp_test_hooks ) );
		}
		echo wp_json_encode(
			array(
				'options' => $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%distributor%'" ),
				'meta'    => $wpdb->get_col( "SELECT DISTINCT meta_key FROM {$wpdb->postmeta} WHERE meta_key LIKE '%distributor%'" ),
				'cron'    => array_values( array_unique( array_filter( $wp_test_events, function ( $hook ) {
					return 0 === strpos( $hook, 'distributor' );
				} ) ) ),
				'caps'    => array_keys( array_filter( wp_roles()->roles, function ( $role ) {
					return ! empty( $role['capabilities']['distributor_reshare'] );
				} ) ),
			)
		);
		break;
	default:
		fwrite( STDERR, "unknown command $wp_test_command\n" );
		exit( 2 );
}
