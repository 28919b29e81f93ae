<?php
/**
 * Removes everything the plugin stored: options, kept bodies, post meta, scheduled sends,
 * the reshare capability and the reshare answers.
 *
 * @package Distributor
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

global $wpdb;

delete_option( 'distributor_settings' );
delete_option( 'distributor_failures' );
$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'distributor_tombstone_' ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $wpdb->esc_like( '_transient_distributor_' ) . '%', $wpdb->esc_like( '_transient_timeout_distributor_' ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
delete_post_meta_by_key( '_distributor_last_event' );
wp_unschedule_hook( 'distributor_send_post' );
foreach ( wp_roles()->role_objects as $distributor_role ) {
	$distributor_role->remove_cap( 'distributor_reshare' );
}
