<?php
/**
 * Sending post events: queued on status transitions, sent from WP-Cron, retried with backoff.
 *
 * @package Distributor
 */

defined( 'ABSPATH' ) || exit;

/**
 * The editor never waits for the service: a transition only schedules a WP-Cron event for the
 * post, and the cron run builds the post's REST representation as it is then (with the terms and
 * featured image the editor saved after the status change) and POSTs it. The service dedupes
 * events and its ledger posts each revision once, so sending a post again is always safe.
 */
class Distributor_Sender {

	const CRON_HOOK        = 'distributor_send_post';
	const FAILURES_OPTION  = 'distributor_failures';
	const TOMBSTONE_PREFIX = 'distributor_tombstone_';
	const LAST_META        = '_distributor_last_event';
	const NOTICE_AFTER     = 3;

	/**
	 * Whether this request queued a send (cron is spawned at shutdown).
	 *
	 * @var bool
	 */
	private static $queued = false;

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'transition_post_status', array( __CLASS__, 'on_transition' ), 10, 3 );
		add_action( 'before_delete_post', array( __CLASS__, 'on_delete' ), 10, 2 );
		add_action( self::CRON_HOOK, array( __CLASS__, 'send' ) );
		add_action( 'shutdown', array( __CLASS__, 'spawn_cron' ) );
	}

	/**
	 * Queue a post that goes live, changes while live, or leaves `publish`.
	 *
	 * Publishing a scheduled post (WP-Cron's publish_future_post) is a future → publish
	 * transition like any other; an update of a published post is publish → publish.
	 *
	 * @param string  $new_status New status.
	 * @param string  $old_status Old status.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( $new_status, $old_status, $post ) {
		if ( ! Distributor_Settings::sends_post_type( $post->post_type ) ) {
			return;
		}
		if ( 'publish' !== $new_status && 'publish' !== $old_status ) {
			return;
		}
		if ( Distributor_Settings::sends_status( $new_status ) ) {
			self::queue( $post->ID );
		}
	}

	/**
	 * A published post deleted without the trash: keep its body as trashed, to send later.
	 *
	 * @param int     $post_id Post ID.
	 * @param WP_Post $post    The post, still in the database.
	 */
	public static function on_delete( $post_id, $post ) {
		if ( 'publish' !== $post->post_status || ! Distributor_Settings::sends_post_type( $post->post_type ) || ! Distributor_Settings::sends_status( 'trash' ) ) {
			return;
		}
		$body = self::rest_body( $post );
		if ( is_wp_error( $body ) ) {
			return;
		}
		$body['status']       = 'trash';
		$body['modified_gmt'] = gmdate( 'Y-m-d\TH:i:s' );
		update_option( self::TOMBSTONE_PREFIX . (int) $post_id, $body, false );
		self::queue( $post_id );
	}

	/**
	 * Schedule the post's send now, unless one is already waiting (it sends the latest state).
	 *
	 * @param int $post_id Post ID.
	 */
	public static function queue( $post_id ) {
		$args = array( (int) $post_id );
		if ( false === wp_next_scheduled( self::CRON_HOOK, $args ) ) {
			wp_schedule_single_event( time(), self::CRON_HOOK, $args );
		}
		self::$queued = true;
	}

	/**
	 * After the response, start a cron run if this request queued something (unless the site
	 * runs WP-Cron from a system cron job: DISABLE_WP_CRON).
	 */
	public static function spawn_cron() {
		if ( self::$queued && ! wp_doing_cron() && ! ( defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ) ) {
			spawn_cron();
		}
	}

	/**
	 * The cron job: send the post's current state; on failure schedule a retry with backoff.
	 *
	 * @param int $post_id Post ID.
	 */
	public static function send( $post_id ) {
		$post_id = (int) $post_id;
		$post    = get_post( $post_id );
		if ( $post ) {
			$body = self::rest_body( $post );
		} else {
			$body = get_option( self::TOMBSTONE_PREFIX . $post_id, null );
			if ( ! is_array( $body ) ) {
				self::forget( $post_id );
				return;
			}
		}
		if ( is_wp_error( $body ) ) {
			self::failed( $post_id, $body->get_error_message(), false, null );
			return;
		}
		$result = Distributor_Client::send_event( $body );
		if ( ! $result['ok'] ) {
			self::failed( $post_id, $result['error'], $result['retry'], $result['retry_after'] );
			return;
		}
		if ( $post ) {
			$last = array(
				'event_id'  => $result['event_id'],
				'duplicate' => $result['duplicate'],
				'status'    => (string) $body['status'],
				'sent_at'   => time(),
			);
			update_post_meta( $post_id, self::LAST_META, $last );
		}
		self::forget( $post_id );
	}

	/**
	 * The post as GET /wp/v2/<type>/<id>?_embed shows it, read as a user who may see it in
	 * any status (its author, else an administrator): cron runs with no user, and a trashed or
	 * private post and its terms are hidden from anonymous readers.
	 *
	 * @param WP_Post $post The post.
	 * @return array|WP_Error
	 */
	public static function rest_body( $post ) {
		$route = rest_get_route_for_post( $post );
		if ( '' === $route ) {
			/* translators: %s: post type name. */
			return new WP_Error( 'distributor_no_route', sprintf( __( 'post type %s is not in the REST API', 'distributor' ), $post->post_type ) );
		}
		$previous = get_current_user_id();
		wp_set_current_user( self::reader_for( $post ) );
		$request = new WP_REST_Request( 'GET', $route );
		$request->set_param( 'context', 'view' );
		$response = rest_do_request( $request );
		$data     = rest_get_server()->response_to_data( $response, true );
		wp_set_current_user( $previous );
		if ( $response->is_error() ) {
			return $response->as_error();
		}
		unset( $data['content'] ); // The service formats from the title and excerpt; keep the event small.
		return $data;
	}

	/**
	 * The user whose view of the post is sent.
	 *
	 * @param WP_Post $post The post.
	 * @return int User ID (0 when the site has no administrator).
	 */
	private static function reader_for( $post ) {
		$author = (int) $post->post_author;
		if ( $author && user_can( $author, 'read_post', $post->ID ) ) {
			return $author;
		}
		$admins = get_users(
			array(
				'role'   => 'administrator',
				'number' => 1,
				'fields' => 'ID',
			)
		);
		return $admins ? (int) $admins[0] : 0;
	}

	/**
	 * Record a failed attempt; schedule the next one when it may pass later.
	 *
	 * @param int      $post_id     Post ID.
	 * @param string   $error       What went wrong.
	 * @param bool     $retry       Whether to try again.
	 * @param int|null $retry_after Seconds the service asked to wait.
	 */
	private static function failed( $post_id, $error, $retry, $retry_after ) {
		$failures = self::failures();
		$entry    = isset( $failures[ $post_id ] ) ? $failures[ $post_id ] : array( 'attempts' => 0 );

		$entry['attempts'] = (int) $entry['attempts'] + 1;
		$entry['error']    = $error;
		$entry['at']       = time();
		$entry['retrying'] = $retry;
		if ( $retry ) {
			$entry['next'] = time() + self::retry_delay( $entry['attempts'], $retry_after );
			wp_schedule_single_event( $entry['next'], self::CRON_HOOK, array( $post_id ) );
		}
		$failures[ $post_id ] = $entry;
		update_option( self::FAILURES_OPTION, $failures );
	}

	/**
	 * Seconds before attempt n+1: 30 s doubling to an hour, never sooner than Retry-After.
	 *
	 * @param int      $attempts    Failed attempts so far.
	 * @param int|null $retry_after Seconds the service asked to wait.
	 * @return int
	 */
	private static function retry_delay( $attempts, $retry_after ) {
		$delay = (int) min( HOUR_IN_SECONDS, 30 * pow( 2, min( $attempts - 1, 10 ) ) );
		if ( null !== $retry_after ) {
			$delay = max( $delay, $retry_after );
		}
		/**
		 * Filters the wait before the next attempt to send a post.
		 *
		 * @param int      $delay       Seconds.
		 * @param int      $attempts    Failed attempts so far.
		 * @param int|null $retry_after Seconds the service asked to wait, if it said.
		 */
		return max( 1, (int) apply_filters( 'distributor_retry_delay', $delay, $attempts, $retry_after ) );
	}

	/**
	 * Forget a post's failures and its kept body once it is sent (or gone).
	 *
	 * @param int $post_id Post ID.
	 */
	private static function forget( $post_id ) {
		$failures = self::failures();
		if ( isset( $failures[ $post_id ] ) ) {
			unset( $failures[ $post_id ] );
			update_option( self::FAILURES_OPTION, $failures );
		}
		delete_option( self::TOMBSTONE_PREFIX . $post_id );
	}

	/**
	 * Failed sends by post ID: attempts, error, when, whether and when it is retried.
	 *
	 * @return array<int, array>
	 */
	public static function failures() {
		$failures = get_option( self::FAILURES_OPTION, array() );
		return is_array( $failures ) ? $failures : array();
	}

	/**
	 * Failures an editor should hear about: repeated ones, and those never retried.
	 *
	 * @return array<int, array>
	 */
	public static function notable_failures() {
		return array_filter(
			self::failures(),
			function ( $entry ) {
				return $entry['attempts'] >= self::NOTICE_AFTER || empty( $entry['retrying'] );
			}
		);
	}
}
