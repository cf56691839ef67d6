package io.chatpipe.spring.activity;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/** The {@link ActivityLogs} every tier writes its one line of what it did to. */
@AutoConfiguration
public class ActivityLogAutoConfiguration {

	@Bean
	ActivityLogs activityLogs() {
		return new ActivityLogs();
	}

}
