<?php
/**
 * HTTP calls to the Distributor service.
 *
 * @package Distributor
 */

defined( 'ABSPATH' ) || exit;

/**
 * Signed events, delivery states and reshares; secrets go in headers and are never logged.
 */
class Distributor_Client {

	const SIGNATURE_HEADER = 'X-Distributor-Signature';

	/**
	 * POST a WordPress REST post body to /v1/events, signed `t=<unix>,v1=<HMAC-SHA256 of "t.body">`.
	 *
	 * @param array $post_data The REST representation of the post (with `_embedded`).
	 * @return array{ok: bool, retry: bool, retry_after: int|null, error: string, event_id: string, duplicate: bool}
	 */
	public static function send_event( array $post_data ) {
		$endpoint = Distributor_Settings::endpoint();
		$secret   = Distributor_Settings::secret();
		if ( '' === $endpoint || '' === $secret ) {
			return self::outcome( false, true, null, __( 'the service URL or the webhook secret is not set (Settings → Distributor)', 'distributor' ) );
		}
		$body      = wp_json_encode( $post_data );
		$timestamp = time();
		$response  = wp_remote_post(
			$endpoint . '/v1/events',
			array(
				'timeout'     => 10,
				'redirection' => 0,
				'headers'     => array(
					'Content-Type'         => 'application/json',
					self::SIGNATURE_HEADER => 't=' . $timestamp . ',v1=' . hash_hmac( 'sha256', $timestamp . '.' . $body, $secret ),
				),
				'body'        => $body,
			)
		);
		if ( is_wp_error( $response ) ) {
			return self::outcome( false, true, null, $response->get_error_message() );
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$data = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( $code >= 200 && $code < 300 ) {
			$result              = self::outcome( true, false, null, '' );
			$result['event_id']  = isset( $data['event_id'] ) ? (string) $data['event_id'] : '';
			$result['duplicate'] = ! empty( $data['duplicate'] );
			return $result;
		}
		// A refused payload (400, 413, 415, 422) fails the same way every time; anything else
		// (an outage, a proxy, a wrong secret or URL being fixed) may pass later.
		$retry       = ! in_array( $code, array( 400, 413, 415, 422 ), true );
		$retry_after = wp_remote_retrieve_header( $response, 'retry-after' );
		return self::outcome( false, $retry, is_numeric( $retry_after ) ? (int) $retry_after : null, self::describe( $code, $data ) );
	}

	/**
	 * GET /v1/articles/<id>/deliveries with the manager token.
	 *
	 * @param int $post_id Post ID (the service's article id).
	 * @return array|WP_Error The service's answer; no deliveries at all is an empty list.
	 */
	public static function deliveries( $post_id ) {
		$response = self::manager_request( 'GET', '/v1/articles/' . (int) $post_id . '/deliveries' );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$data = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( 404 === $code ) {
			return array(
				'deliveries' => array(),
				'links'      => array(),
			);
		}
		if ( 200 !== $code || ! is_array( $data ) ) {
			return new WP_Error( 'distributor_http', self::describe( $code, $data ) );
		}
		return $data;
	}

	/**
	 * POST /v1/articles/<id>/reshares: the service posts the article again (202) or says why not.
	 *
	 * @param int $post_id Post ID.
	 * @return array{ok: bool, message: string}
	 */
	public static function reshare( $post_id ) {
		$response = self::manager_request( 'POST', '/v1/articles/' . (int) $post_id . '/reshares', '{}' );
		if ( is_wp_error( $response ) ) {
			return array(
				'ok'      => false,
				'message' => $response->get_error_message(),
			);
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		if ( $code >= 200 && $code < 300 ) {
			return array(
				'ok'      => true,
				'message' => __( 'Reshare accepted: the service is posting it again.', 'distributor' ),
			);
		}
		return array(
			'ok'      => false,
			'message' => self::describe( $code, json_decode( wp_remote_retrieve_body( $response ), true ) ),
		);
	}

	/**
	 * A bearer-token request to a manager route, with a short timeout (an editor is waiting).
	 *
	 * @param string      $method HTTP method.
	 * @param string      $path   Path under the service URL.
	 * @param string|null $body   JSON body.
	 * @return array|WP_Error
	 */
	private static function manager_request( $method, $path, $body = null ) {
		$endpoint = Distributor_Settings::endpoint();
		$token    = Distributor_Settings::token();
		if ( '' === $endpoint || '' === $token ) {
			return new WP_Error( 'distributor_config', __( 'Set the service URL and a manager token in Settings → Distributor.', 'distributor' ) );
		}
		$args = array(
			'method'      => $method,
			'timeout'     => 3,
			'redirection' => 0,
			'headers'     => array(
				'Authorization' => 'Bearer ' . $token,
				'Accept'        => 'application/json',
			),
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = $body;
		}
		return wp_remote_request( $endpoint . $path, $args );
	}

	/**
	 * "HTTP <code>: <the service's error message>".
	 *
	 * @param int   $code HTTP status.
	 * @param mixed $data Decoded body.
	 * @return string
	 */
	private static function describe( $code, $data ) {
		$message = '';
		if ( is_array( $data ) && isset( $data['error']['message'] ) ) {
			$message = (string) $data['error']['message'];
		} elseif ( is_array( $data ) && isset( $data['detail'] ) && is_string( $data['detail'] ) ) {
			$message = $data['detail'];
		}
		/* translators: 1: HTTP status code, 2: error message from the service. */
		return trim( sprintf( __( 'HTTP %1$d: %2$s', 'distributor' ), $code, $message ), ': ' );
	}

	/**
	 * The shape send_event returns.
	 *
	 * @param bool     $ok          Accepted.
	 * @param bool     $retry       Worth trying again.
	 * @param int|null $retry_after Seconds the service asked to wait.
	 * @param string   $error       What went wrong.
	 * @return array
	 */
	private static function outcome( $ok, $retry, $retry_after, $error ) {
		return array(
			'ok'          => $ok,
			'retry'       => $retry,
			'retry_after' => $retry_after,
			'error'       => $error,
			'event_id'    => '',
			'duplicate'   => false,
		);
	}
}
