package io.chatpipe.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.chatpipe.model.ChatId;
import io.chatpipe.model.ChatMessage;
import io.chatpipe.model.WireFormat;

/**
 * Chat traffic as people write it, for every scenario: message texts whose lengths follow
 * the distribution measured on a real chat server's archive, a share of them in another
 * script than Latin or with an emoji, and member names of realistic length.
 * <p>
 * Lengths: ProcessOne's measurement of 474,562 messages of an XMPP server's archive
 * ("Message Archiving Benchmark: How Many Letters Are in Messages?",
 * process-one.net/blog): counted in Unicode code points, median 18, mean 40.4, a long
 * tail (to 35,079), fitted well by a log-normal distribution with mu 2.83 and sigma 1.15
 * of the natural logarithm. Here it is cut at chatpipe's limit of 4,096 code points. That
 * server's users wrote mostly Russian, so a quarter of the texts here are Cyrillic (two
 * UTF-8 bytes a letter) and one in twenty ends in an emoji (four bytes, two UTF-16
 * units).
 */
final class Payloads {

	static final double LENGTH_MU = 2.83;

	static final double LENGTH_SIGMA = 1.15;

	static final int MAX_LENGTH = 4096;

	private static final String[] LATIN = ("ok yes no see you soon thanks lol sure where are you on my way call me later "
			+ "what time meeting tomorrow sounds good did you get it sorry running late haha nice great let me check "
			+ "the train is delayed can you send the file love it happy birthday")
		.split(" ");

	private static final String[] CYRILLIC = ("привет да нет спасибо скоро буду где ты позвони мне позже во сколько "
			+ "встреча завтра отлично получил прости опаздываю хорошо посмотрю файл поезд задерживается")
		.split(" ");

	private static final String[] EMOJI = { "😀", "👍", "🎉", "❤️", "😂" };

	private static final String[] FIRST = { "anna", "dmitry", "li", "maria", "joe", "olga", "ahmed", "sofia", "ken",
			"lucas", "fatima", "ivan", "chloe", "raj", "elena", "tom" };

	private final Random random;

	Payloads(long seed) {
		this.random = new Random(seed);
	}

	/** A text length in code points, from the measured distribution. */
	int length() {
		double length = Math.exp(LENGTH_MU + LENGTH_SIGMA * this.random.nextGaussian());
		return (int) Math.max(1, Math.min(MAX_LENGTH, Math.round(length)));
	}

	/** A message text of a measured length. */
	String text() {
		int length = length();
		boolean cyrillic = this.random.nextInt(4) == 0;
		boolean emoji = this.random.nextInt(20) == 0 && length > 2;
		String[] words = cyrillic ? CYRILLIC : LATIN;
		StringBuilder text = new StringBuilder();
		int codePoints = 0;
		int target = emoji ? length - 2 : length;
		while (codePoints < target) {
			if (codePoints > 0) {
				text.append(' ');
				codePoints++;
			}
			String word = words[this.random.nextInt(words.length)];
			int take = Math.min(word.length(), Math.max(0, target - codePoints));
			text.append(word, 0, take);
			codePoints += take;
		}
		if (emoji) {
			text.append(' ').append(EMOJI[this.random.nextInt(EMOJI.length)]);
		}
		return text.toString();
	}

	/**
	 * A member name as people pick them: a first name, often with a separator and digits.
	 */
	String member() {
		String name = FIRST[this.random.nextInt(FIRST.length)];
		return switch (this.random.nextInt(4)) {
			case 0 -> name;
			case 1 -> name + "." + (char) ('a' + this.random.nextInt(26));
			case 2 -> name + "_" + (1970 + this.random.nextInt(40));
			default -> name + (100 + this.random.nextInt(9900));
		};
	}

	/**
	 * {@code count} distinct chats of two members each, both names starting with
	 * {@code prefix}, so that a scenario's messages can be told apart (a canonical chat
	 * puts the two names in order, so either may come first).
	 */
	List<Chat> chats(String prefix, int count) {
		List<Chat> chats = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			chats.add(new Chat(prefix + i + "-" + member(), prefix + member()));
		}
		return chats;
	}

	/**
	 * {@code count} send bodies over {@code chats} chats whose members' names start with
	 * {@code prefix}, made ahead so that the load generator spends no time on them.
	 */
	static List<String> sendBodies(String prefix, int chats, int count, long seed) {
		Payloads payloads = new Payloads(seed);
		List<Chat> all = payloads.chats(prefix, chats);
		List<String> bodies = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			bodies.add(payloads.sendBody(all.get(i % chats)));
		}
		return bodies;
	}

	/**
	 * The mean size in bytes of a message body as the publisher puts it on a shard queue
	 * ({@link WireFormat}), over {@code count} messages of 200 chats.
	 */
	static int meanWireSize(int count, long seed) {
		Payloads payloads = new Payloads(seed);
		List<Chat> chats = payloads.chats("wrk", 200);
		long bytes = 0;
		for (int i = 0; i < count; i++) {
			Chat chat = chats.get(i % chats.size());
			ChatMessage message = new ChatMessage(UUID.randomUUID(), ChatId.parse(chat.id()), chat.first(),
					payloads.text(), System.currentTimeMillis());
			bytes += WireFormat.encode(message).length;
		}
		return (int) (bytes / count);
	}

	/**
	 * A chat's JSON send body, from one of its two members, with a text of a measured
	 * length.
	 */
	String sendBody(Chat chat) {
		String sender = this.random.nextBoolean() ? chat.first() : chat.second();
		return "{\"chat\":\"" + chat.id() + "\",\"sender\":\"" + sender + "\",\"text\":\"" + text() + "\"}";
	}

	/**
	 * A chat of two members.
	 *
	 * @param first one member
	 * @param second the other
	 */
	record Chat(String first, String second) {

		String id() {
			return this.first + ":" + this.second;
		}

	}

}
