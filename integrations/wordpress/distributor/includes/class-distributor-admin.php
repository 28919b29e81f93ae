<?php
/**
 * The post screen's Distributor box, the Reshare action and the failure notice.
 *
 * @package Distributor
 */

defined( 'ABSPATH' ) || exit;

/**
 * What editors see of the service inside WordPress.
 */
class Distributor_Admin {

	const RESHARE_CAP    = 'distributor_reshare';
	const RESHARE_ACTION = 'distributor_reshare';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'add_meta_boxes', array( __CLASS__, 'add_meta_box' ) );
		add_action( 'admin_post_' . self::RESHARE_ACTION, array( __CLASS__, 'handle_reshare' ) );
		add_action( 'admin_notices', array( __CLASS__, 'failure_notice' ) );
	}

	/**
	 * The box, on the screens of the post types that are sent.
	 *
	 * @param string $post_type Post type of the screen.
	 */
	public static function add_meta_box( $post_type ) {
		if ( Distributor_Settings::sends_post_type( $post_type ) ) {
			add_meta_box( 'distributor-deliveries', __( 'Distributor', 'distributor' ), array( __CLASS__, 'render_meta_box' ), $post_type, 'side' );
		}
	}

	/**
	 * Delivery states and links from the service, the last send, and the Reshare button.
	 *
	 * @param WP_Post $post The post being edited.
	 */
	public static function render_meta_box( $post ) {
		$answer_key = self::answer_key( $post->ID );
		$answer     = get_transient( $answer_key );
		if ( is_array( $answer ) ) {
			delete_transient( $answer_key );
			printf(
				'<div class="notice inline %1$s distributor-reshare-answer"><p>%2$s</p></div>',
				esc_attr( $answer['ok'] ? 'notice-success' : 'notice-error' ),
				esc_html( $answer['message'] )
			);
		}

		$failures = Distributor_Sender::failures();
		if ( isset( $failures[ $post->ID ] ) ) {
			$failure = $failures[ $post->ID ];
			printf(
				'<p class="distributor-failure"><strong>%1$s</strong> %2$s</p>',
				/* translators: %d: number of attempts. */
				esc_html( sprintf( _n( 'Not sent after %d attempt:', 'Not sent after %d attempts:', $failure['attempts'], 'distributor' ), $failure['attempts'] ) ),
				esc_html( $failure['error'] )
			);
		}

		$last = get_post_meta( $post->ID, Distributor_Sender::LAST_META, true );
		if ( is_array( $last ) && ! empty( $last['sent_at'] ) ) {
			printf(
				'<p class="distributor-last">%s</p>',
				/* translators: 1: post status sent, 2: date and time. */
				esc_html( sprintf( __( 'Last sent as "%1$s" on %2$s.', 'distributor' ), $last['status'], wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $last['sent_at'] ) ) )
			);
		}

		self::render_deliveries( $post );

		if ( 'publish' === $post->post_status && current_user_can( self::RESHARE_CAP ) && current_user_can( 'edit_post', $post->ID ) ) {
			$url = wp_nonce_url(
				add_query_arg(
					array(
						'action' => self::RESHARE_ACTION,
						'post'   => $post->ID,
					),
					admin_url( 'admin-post.php' )
				),
				self::RESHARE_ACTION . '_' . $post->ID
			);
			printf( '<p><a class="button" id="distributor-reshare" href="%1$s">%2$s</a></p>', esc_url( $url ), esc_html__( 'Reshare', 'distributor' ) );
		}
	}

	/**
	 * The table of deliveries, one row per destination and revision.
	 *
	 * @param WP_Post $post The post.
	 */
	private static function render_deliveries( $post ) {
		$answer = Distributor_Client::deliveries( $post->ID );
		if ( is_wp_error( $answer ) ) {
			printf( '<p class="distributor-error">%s</p>', esc_html( $answer->get_error_message() ) );
			return;
		}
		$deliveries = isset( $answer['deliveries'] ) ? (array) $answer['deliveries'] : array();
		$links      = isset( $answer['links'] ) ? (array) $answer['links'] : array();
		if ( ! $deliveries ) {
			echo '<p>' . esc_html__( 'Not on any channel yet.', 'distributor' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped distributor-deliveries"><tbody>';
		foreach ( $deliveries as $delivery ) {
			$destination = (string) $delivery['destination'];
			$error       = empty( $delivery['error'] ) ? '' : (string) $delivery['error'];
			printf(
				'<tr><td>%1$s <small>r%2$s</small></td><td><span class="distributor-state" title="%3$s">%4$s</span>',
				esc_html( $destination ),
				esc_html( (string) $delivery['revision'] ),
				esc_attr( $error ),
				esc_html( (string) $delivery['state'] )
			);
			$live = 'sent' === $delivery['state'] && isset( $links[ $destination ] ) ? (array) $links[ $destination ] : array();
			foreach ( $live as $link ) {
				printf( ' <a href="%1$s" target="_blank" rel="noopener noreferrer">%2$s</a>', esc_url( $link ), esc_html__( 'view', 'distributor' ) );
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * Handles admin-post.php?action=distributor_reshare: asks the service to post the article again.
	 */
	public static function handle_reshare() {
		$post_id = isset( $_GET['post'] ) ? absint( $_GET['post'] ) : 0;
		check_admin_referer( self::RESHARE_ACTION . '_' . $post_id );
		if ( ! $post_id || ! current_user_can( self::RESHARE_CAP ) || ! current_user_can( 'edit_post', $post_id ) ) {
			wp_die( esc_html__( 'You are not allowed to reshare this post.', 'distributor' ), '', array( 'response' => 403 ) );
		}
		set_transient( self::answer_key( $post_id ), Distributor_Client::reshare( $post_id ), MINUTE_IN_SECONDS );
		wp_safe_redirect( get_edit_post_link( $post_id, 'url' ) );
		exit;
	}

	/**
	 * A notice on every admin screen while posts could not be sent after repeated attempts.
	 */
	public static function failure_notice() {
		if ( ! current_user_can( 'edit_others_posts' ) ) {
			return;
		}
		$failing = Distributor_Sender::notable_failures();
		if ( ! $failing ) {
			return;
		}
		printf(
			'<div class="notice notice-error distributor-failures"><p>%s</p><ul>',
			esc_html(
				sprintf(
					/* translators: %d: number of posts. */
					_n( 'Distributor could not deliver %d post to the service. WordPress keeps retrying; check Settings → Distributor.', 'Distributor could not deliver %d posts to the service. WordPress keeps retrying; check Settings → Distributor.', count( $failing ), 'distributor' ),
					count( $failing )
				)
			)
		);
		foreach ( array_slice( $failing, 0, 5, true ) as $post_id => $failure ) {
			$title = get_the_title( $post_id );
			$title = '' === $title ? '#' . $post_id : $title;
			printf(
				'<li><a href="%1$s">%2$s</a>: %3$s</li>',
				esc_url( (string) get_edit_post_link( $post_id, 'url' ) ),
				esc_html( $title ),
				esc_html( $failure['error'] )
			);
		}
		echo '</ul></div>';
	}

	/**
	 * Where the service's answer to one user's reshare of one post waits for the next page.
	 *
	 * @param int $post_id Post ID.
	 * @return string Transient name.
	 */
	private static function answer_key( $post_id ) {
		return 'distributor_reshare_' . get_current_user_id() . '_' . (int) $post_id;
	}
}
