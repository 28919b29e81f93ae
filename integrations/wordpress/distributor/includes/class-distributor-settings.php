<?php
/**
 * Settings → Distributor: where the service is, its secrets, and which posts to send.
 *
 * @package Distributor
 */

defined( 'ABSPATH' ) || exit;

/**
 * One option (`distributor_settings`) edited through the Settings API.
 *
 * The secret and the token may also be defined in wp-config.php (DISTRIBUTOR_SECRET,
 * DISTRIBUTOR_TOKEN), which keeps them out of the database; a defined constant wins.
 */
class Distributor_Settings {

	const OPTION = 'distributor_settings';
	const PAGE   = 'distributor';

	/**
	 * Statuses whose transitions can be sent, with their labels.
	 *
	 * @return array<string, string>
	 */
	public static function status_choices() {
		return array(
			'publish' => __( 'Published (new posts, scheduled posts going live, edits)', 'distributor' ),
			'trash'   => __( 'Moved to the trash (takes the posts down)', 'distributor' ),
			'draft'   => __( 'Switched back to draft or pending review (takes the posts down)', 'distributor' ),
			'private' => __( 'Made private (takes the posts down)', 'distributor' ),
			'future'  => __( 'Rescheduled into the future (takes the posts down)', 'distributor' ),
		);
	}

	/**
	 * The defaults: posts only, every status.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults() {
		return array(
			'endpoint'   => '',
			'secret'     => '',
			'token'      => '',
			'post_types' => array( 'post' ),
			'statuses'   => array_keys( self::status_choices() ),
		);
	}

	/**
	 * The saved settings merged over the defaults.
	 *
	 * @return array<string, mixed>
	 */
	public static function all() {
		$saved = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $saved ) ? $saved : array() );
	}

	/**
	 * The service's base URL without a trailing slash ('' when unset).
	 *
	 * @return string
	 */
	public static function endpoint() {
		return untrailingslashit( (string) self::all()['endpoint'] );
	}

	/**
	 * The webhook secret (HMAC key of X-Distributor-Signature).
	 *
	 * @return string
	 */
	public static function secret() {
		return defined( 'DISTRIBUTOR_SECRET' ) ? (string) DISTRIBUTOR_SECRET : (string) self::all()['secret'];
	}

	/**
	 * The manager token for delivery states and reshares.
	 *
	 * @return string
	 */
	public static function token() {
		return defined( 'DISTRIBUTOR_TOKEN' ) ? (string) DISTRIBUTOR_TOKEN : (string) self::all()['token'];
	}

	/**
	 * Whether posts of this type are sent.
	 *
	 * @param string $post_type A post type name.
	 * @return bool
	 */
	public static function sends_post_type( $post_type ) {
		return in_array( $post_type, (array) self::all()['post_types'], true );
	}

	/**
	 * Whether a post entering this status is sent ('pending' goes with 'draft').
	 *
	 * @param string $status A post status.
	 * @return bool
	 */
	public static function sends_status( $status ) {
		$status = 'pending' === $status ? 'draft' : $status;
		return in_array( $status, (array) self::all()['statuses'], true );
	}

	/**
	 * Hooks of the settings screen.
	 */
	public static function init() {
		add_action( 'admin_menu', array( __CLASS__, 'add_page' ) );
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
	}

	/**
	 * Settings → Distributor, for those who manage options.
	 */
	public static function add_page() {
		add_options_page(
			__( 'Distributor', 'distributor' ),
			__( 'Distributor', 'distributor' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * The option, its section and fields.
	 */
	public static function register() {
		register_setting(
			self::PAGE,
			self::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'default'           => self::defaults(),
			)
		);
		add_settings_section( 'distributor_service', __( 'Service', 'distributor' ), '__return_false', self::PAGE );
		add_settings_field( 'distributor_endpoint', __( 'Service URL', 'distributor' ), array( __CLASS__, 'field_endpoint' ), self::PAGE, 'distributor_service', array( 'label_for' => 'distributor_endpoint' ) );
		add_settings_field( 'distributor_secret', __( 'Webhook secret', 'distributor' ), array( __CLASS__, 'field_secret' ), self::PAGE, 'distributor_service', array( 'label_for' => 'distributor_secret' ) );
		add_settings_field( 'distributor_token', __( 'Manager token', 'distributor' ), array( __CLASS__, 'field_token' ), self::PAGE, 'distributor_service', array( 'label_for' => 'distributor_token' ) );
		add_settings_section( 'distributor_posts', __( 'What is sent', 'distributor' ), '__return_false', self::PAGE );
		add_settings_field( 'distributor_post_types', __( 'Post types', 'distributor' ), array( __CLASS__, 'field_post_types' ), self::PAGE, 'distributor_posts' );
		add_settings_field( 'distributor_statuses', __( 'When a post is', 'distributor' ), array( __CLASS__, 'field_statuses' ), self::PAGE, 'distributor_posts' );
	}

	/**
	 * Clean the submitted values; an empty secret or token field keeps the saved one.
	 *
	 * @param mixed $input The submitted option value.
	 * @return array<string, mixed>
	 */
	public static function sanitize( $input ) {
		$input    = is_array( $input ) ? $input : array();
		$current  = self::all();
		$endpoint = isset( $input['endpoint'] ) ? esc_url_raw( trim( (string) $input['endpoint'] ), array( 'http', 'https' ) ) : '';
		if ( isset( $input['endpoint'] ) && '' !== trim( (string) $input['endpoint'] ) && '' === $endpoint ) {
			add_settings_error( self::OPTION, 'distributor_endpoint', __( 'The service URL must be an http(s) URL.', 'distributor' ) );
			$endpoint = $current['endpoint'];
		}
		$clean = array(
			'endpoint'   => $endpoint,
			'secret'     => $current['secret'],
			'token'      => $current['token'],
			'post_types' => array(),
			'statuses'   => array(),
		);
		foreach ( array( 'secret', 'token' ) as $key ) {
			if ( isset( $input[ $key ] ) && '' !== trim( (string) $input[ $key ] ) ) {
				$clean[ $key ] = trim( sanitize_text_field( wp_unslash( (string) $input[ $key ] ) ) );
			}
		}
		$types = get_post_types( array( 'show_in_rest' => true ) );
		foreach ( (array) ( isset( $input['post_types'] ) ? $input['post_types'] : array() ) as $type ) {
			if ( isset( $types[ $type ] ) ) {
				$clean['post_types'][] = (string) $type;
			}
		}
		$statuses = self::status_choices();
		foreach ( (array) ( isset( $input['statuses'] ) ? $input['statuses'] : array() ) as $status ) {
			if ( isset( $statuses[ $status ] ) ) {
				$clean['statuses'][] = (string) $status;
			}
		}
		return $clean;
	}

	/**
	 * The service URL field.
	 */
	public static function field_endpoint() {
		printf(
			'<input type="url" class="regular-text code" id="distributor_endpoint" name="%1$s[endpoint]" value="%2$s" placeholder="https://distributor.example.org" /><p class="description">%3$s</p>',
			esc_attr( self::OPTION ),
			esc_attr( self::all()['endpoint'] ),
			esc_html__( 'Base URL of the Distributor API; events go to /v1/events.', 'distributor' )
		);
	}

	/**
	 * The webhook secret field (never echoed back).
	 */
	public static function field_secret() {
		self::secret_field( 'secret', defined( 'DISTRIBUTOR_SECRET' ), '' !== self::secret(), __( 'DISTRIBUTOR_WEBHOOK_SECRET of the service.', 'distributor' ) );
	}

	/**
	 * The manager token field (never echoed back).
	 */
	public static function field_token() {
		self::secret_field( 'token', defined( 'DISTRIBUTOR_TOKEN' ), '' !== self::token(), __( 'A token of the service with the scopes deliveries:read and reshare, for the Distributor box on the post screen.', 'distributor' ) );
	}

	/**
	 * A password input that says whether a value is saved without showing it.
	 *
	 * @param string $key         Settings key.
	 * @param bool   $constant    Whether wp-config.php defines the value.
	 * @param bool   $is_set      Whether a value is saved.
	 * @param string $description Help text.
	 */
	private static function secret_field( $key, $constant, $is_set, $description ) {
		if ( $constant ) {
			echo '<p>' . esc_html__( 'Defined in wp-config.php.', 'distributor' ) . '</p>';
			return;
		}
		printf(
			'<input type="password" class="regular-text" id="distributor_%1$s" name="%2$s[%1$s]" value="" autocomplete="new-password" placeholder="%3$s" /><p class="description">%4$s</p>',
			esc_attr( $key ),
			esc_attr( self::OPTION ),
			$is_set ? esc_attr__( 'saved; type to replace', 'distributor' ) : '',
			esc_html( $description )
		);
	}

	/**
	 * Checkboxes of the post types shown in the REST API.
	 */
	public static function field_post_types() {
		$chosen = (array) self::all()['post_types'];
		foreach ( get_post_types( array( 'show_in_rest' => true ), 'objects' ) as $type ) {
			if ( ! $type->public ) {
				continue;
			}
			printf(
				'<label><input type="checkbox" name="%1$s[post_types][]" value="%2$s" %3$s /> %4$s</label><br />',
				esc_attr( self::OPTION ),
				esc_attr( $type->name ),
				checked( in_array( $type->name, $chosen, true ), true, false ),
				esc_html( $type->labels->name )
			);
		}
	}

	/**
	 * Checkboxes of the transitions sent.
	 */
	public static function field_statuses() {
		$chosen = (array) self::all()['statuses'];
		foreach ( self::status_choices() as $status => $label ) {
			printf(
				'<label><input type="checkbox" name="%1$s[statuses][]" value="%2$s" %3$s /> %4$s</label><br />',
				esc_attr( self::OPTION ),
				esc_attr( $status ),
				checked( in_array( $status, $chosen, true ), true, false ),
				esc_html( $label )
			);
		}
	}

	/**
	 * The settings screen.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1><form action="options.php" method="post">';
		settings_fields( self::PAGE );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form></div>';
	}
}
