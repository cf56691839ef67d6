package io.chatpipe.spring.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers a request that Netty could not decode with problem+json naming what was at
 * fault, as every other 4xx of the tiers is answered: a request line over the server's
 * limit (414, {@code request-line}), headers over
 * {@code server.max-http-request-header-size} (431, {@code headers}), or a request that
 * is not HTTP/1.1 (400, {@code request}). Reactor Netty answers these itself with a bare
 * status and an empty body, before any Spring code runs, so this handler sits right after
 * the HTTP codec, ahead of Reactor Netty's own handling. The connection is closed after
 * the answer, as Reactor Netty does. One instance per connection.
 */
final class DecodingFailureProblems extends ChannelInboundHandlerAdapter {

	private static final ObjectMapper JSON = new ObjectMapper();

	private boolean failed;

	@Override
	public void channelRead(ChannelHandlerContext context, Object message) {
		if (this.failed) {
			ReferenceCountUtil.release(message); // whatever follows a request that failed
			return;
		}
		if (message instanceof HttpRequest request && request.decoderResult().isFailure()) {
			this.failed = true;
			Throwable cause = request.decoderResult().cause();
			ReferenceCountUtil.release(message);
			context.writeAndFlush(answer(cause)).addListener(ChannelFutureListener.CLOSE);
			return;
		}
		context.fireChannelRead(message);
	}

	static FullHttpResponse answer(Throwable cause) {
		HttpResponseStatus status;
		String field;
		String reason;
		if (cause instanceof TooLongHttpLineException) {
			status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
			field = "request-line";
			reason = "is longer than the server accepts";
		}
		else if (cause instanceof TooLongHttpHeaderException) {
			status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
			field = "headers";
			reason = "are larger than the server accepts (server.max-http-request-header-size)";
		}
		else {
			status = HttpResponseStatus.BAD_REQUEST;
			field = "request";
			reason = "is not valid HTTP/1.1";
		}
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", status.reasonPhrase());
		problem.put("status", status.code());
		problem.put("detail", field + ": " + reason);
		problem.put("errors", List.of(Map.of("field", field, "message", reason)));
		byte[] body;
		try {
			body = JSON.writeValueAsBytes(problem);
		}
		catch (JsonProcessingException ex) {
			body = ("{\"status\":" + status.code() + "}").getBytes(StandardCharsets.UTF_8);
		}
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		return response;
	}

}
