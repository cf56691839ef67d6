package io.chatpipe.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The environment-variable check the manifests are held to: Spring's relaxed binding,
 * against real properties.
 */
class PropertyBindingTest {

	@Test
	void variablesBindAsSpringBindsThemWithADashWrittenAsUnderscoreOrLeftOut() {
		assertThat(Project.bindsToAProperty("SPRING_DATASOURCE_URL")).isTrue();
		assertThat(Project.bindsToAProperty("CHATPIPE_PUBLISHER_CONFIRM_TIMEOUT")).isTrue();
		assertThat(Project.bindsToAProperty("CHATPIPE_PUBLISHER_CONFIRMTIMEOUT")).isTrue();
		assertThat(Project.bindsToAProperty("CHATPIPE_CONSUMER_MIGRATE_ONLY")).isTrue();
	}

	@Test
	void aMisspelledOrInventedVariableBindsToNothing() {
		assertThat(Project.bindsToAProperty("SPRING_DATASOURCE_URI")).isFalse();
		assertThat(Project.bindsToAProperty("CHATPIPE_PUBLISHER_CONFIRM_TIMEOUTS")).isFalse();
		assertThat(Project.bindsToAProperty("CHATPIPE_CONSUMER_BATCHES")).isFalse();
	}

}
