<?php
/**
 * Plugin Name:       Distributor
 * Plugin URI:        https://github.com/visualjambi/distributor
 * Description:       Sends each published, updated or removed post to the Distributor service, which puts it on Telegram and X exactly once.
 * Version:           0.1.0
 * Requires at least: 5.7
 * Requires PHP:      7.4
 * License:           MIT
 * Text Domain:       distributor
 *
 * @package Distributor
 */

defined( 'ABSPATH' ) || exit;

define( 'DISTRIBUTOR_VERSION', '0.1.0' );
define( 'DISTRIBUTOR_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-distributor-settings.php';
require_once __DIR__ . '/includes/class-distributor-client.php';
require_once __DIR__ . '/includes/class-distributor-sender.php';
require_once __DIR__ . '/includes/class-distributor-admin.php';

Distributor_Sender::init();
if ( is_admin() ) {
	Distributor_Settings::init();
	Distributor_Admin::init();
}

register_activation_hook( __FILE__, 'distributor_activate' );
register_deactivation_hook( __FILE__, 'distributor_deactivate' );

/**
 * Grant the reshare capability to the roles that run the desk.
 */
function distributor_activate() {
	foreach ( array( 'administrator', 'editor' ) as $role_name ) {
		$role = get_role( $role_name );
		if ( $role ) {
			$role->add_cap( Distributor_Admin::RESHARE_CAP );
		}
	}
}

/**
 * Stop the scheduled sends; posts changed while the plugin is off are caught by `distributor watch`.
 */
function distributor_deactivate() {
	wp_unschedule_hook( Distributor_Sender::CRON_HOOK );
}
