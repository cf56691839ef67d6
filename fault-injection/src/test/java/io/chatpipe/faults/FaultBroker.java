package io.chatpipe.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.chatpipe.testsupport.RabbitNode;

/**
 * A RabbitMQ node of the suite's own, with no plugins: alone it is the suite's broker;
 * three of them make a {@link BrokerCluster}.
 */
final class FaultBroker extends RabbitNode implements Broker {

	static final String NODE = "chatpipe-faults@localhost";

	FaultBroker(Path work, int port) throws IOException {
		this(work, NODE, port, "");
	}

	FaultBroker(Path work, String node, int port, String config) throws IOException {
		super(work, node, port, config, "[].\n");
	}

	@Override
	public long heldEnqueues(List<String> queues) {
		long held = 0;
		for (String queue : queues) {
			String count = ctl("eval", """
					{ok, Q} = rabbit_amqqueue:lookup(rabbit_misc:r(<<"/">>, queue, <<"%s">>)),
					{Name, _} = amqqueue:get_pid(Q),
					{ok, {_, Held}, _} = ra:local_query({Name, node()}, fun (State) ->
					    lists:sum([length(element(3, E)) || M <- tuple_to_list(State), is_map(M),
					        E <- maps:values(M), is_tuple(E), element(1, E) =:= enqueuer])
					end),
					Held.""".formatted(queue));
			held += Long.parseLong(count.strip());
		}
		return held;
	}

}
