package io.chatpipe.publisher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The publisher tier: {@code POST /api/send} validates a message and puts it on RabbitMQ.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PublisherApplication {

	public static void main(String[] args) {
		SpringApplication.run(PublisherApplication.class, args);
	}

}
