package io.chatpipe.consumer.shard;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/shards}: which shards this replica consumes, and how many replicas
 * share them.
 */
@Component
@Endpoint(id = "shards")
class ShardsEndpoint {

	private final ShardBalancer balancer;

	ShardsEndpoint(ShardBalancer balancer) {
		this.balancer = balancer;
	}

	@ReadOperation
	ShardBalancer.Assignment shards() {
		return this.balancer.assignment();
	}

}
