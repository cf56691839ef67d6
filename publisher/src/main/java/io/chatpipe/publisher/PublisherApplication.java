package io.chatpipe.publisher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The publisher tier: {@code POST /api/send} validates a message and puts it on RabbitMQ.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PublisherApplication {

	public static void main(String[] args) {
		SpringApplication.run(PublisherApplication.class, args);
	}

}
