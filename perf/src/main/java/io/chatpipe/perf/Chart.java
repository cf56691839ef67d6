package io.chatpipe.perf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A small line chart as PNG, drawn with the JDK's own Java2D (headless): no charting
 * library for one picture. The y axis is logarithmic, so 1 ms and 1 s both read.
 */
final class Chart {

	private static final Color[] COLORS = { new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
			new Color(0x9467bd), new Color(0xff7f0e) };

	private Chart() {
	}

	/**
	 * One line.
	 *
	 * @param name the legend
	 * @param x the x values
	 * @param y the y values (> 0)
	 */
	record Series(String name, double[] x, double[] y) {
	}

	static void write(Path file, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
		System.setProperty("java.awt.headless", "true");
		int width = 900;
		int height = 520;
		int left = 80;
		int right = 30;
		int top = 50;
		int bottom = 70;
		double maxX = series.stream().flatMapToDouble((s) -> Arrays.stream(s.x())).max().orElse(1);
		double minY = 0.5;
		double maxY = Math.max(10, series.stream().flatMapToDouble((s) -> Arrays.stream(s.y())).max().orElse(10) * 1.5);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, width, height);
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
		g.drawString(title, left, 30);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		int plotWidth = width - left - right;
		int plotHeight = height - top - bottom;
		g.drawRect(left, top, plotWidth, plotHeight);
		for (double tick = 1; tick <= maxY; tick *= 10) {
			for (double minor : new double[] { 1, 2, 5 }) {
				double value = tick * minor;
				if (value < minY || value > maxY) {
					continue;
				}
				int y = top + plotHeight - (int) (plotHeight * Math.log(value / minY) / Math.log(maxY / minY));
				g.setColor(new Color(0xdddddd));
				g.drawLine(left, y, left + plotWidth, y);
				g.setColor(Color.BLACK);
				g.drawString(String.format(Locale.ROOT, "%g", value).replaceAll("\\.?0+$", ""), left - 45, y + 4);
			}
		}
		int xTicks = 6;
		for (int i = 0; i <= xTicks; i++) {
			double value = maxX * i / xTicks;
			int x = left + (int) (plotWidth * value / maxX);
			g.drawString(String.format(Locale.ROOT, "%,.0f", value), x - 15, top + plotHeight + 18);
		}
		g.drawString(xLabel, left + plotWidth / 2 - 30, height - 30);
		g.drawString(yLabel, 8, top - 10);
		for (int s = 0; s < series.size(); s++) {
			Series line = series.get(s);
			g.setColor(COLORS[s % COLORS.length]);
			g.setStroke(new BasicStroke(2.2f));
			int previousX = -1;
			int previousY = -1;
			for (int i = 0; i < line.x().length; i++) {
				int x = left + (int) (plotWidth * line.x()[i] / maxX);
				double clamped = Math.min(maxY, Math.max(minY, line.y()[i]));
				int y = top + plotHeight - (int) (plotHeight * Math.log(clamped / minY) / Math.log(maxY / minY));
				g.fillOval(x - 4, y - 4, 8, 8);
				if (previousX >= 0) {
					g.drawLine(previousX, previousY, x, y);
				}
				previousX = x;
				previousY = y;
			}
			int legendX = left + 10 + s * 260;
			g.fillRect(legendX, height - 20, 14, 4);
			g.drawString(line.name(), legendX + 20, height - 14);
		}
		g.dispose();
		ImageIO.write(image, "png", file.toFile());
	}

}
