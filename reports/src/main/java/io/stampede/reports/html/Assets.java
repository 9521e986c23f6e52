package io.stampede.reports.html;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What a report inlines: uPlot (from its webjar, on the classpath since the build), the report's
 * own script, style and page template, and the Stampede version (filtered into
 * {@code io/stampede/reports/build.properties} at build time).
 */
public final class Assets {
    private static final Properties BUILD = load();

    private Assets() {}

    /** The Stampede version this module was built as ({@code 0.1.0-SNAPSHOT}, ...). */
    public static String stampedeVersion() {
        return BUILD.getProperty("stampede.version", "unknown");
    }

    /** The uPlot version bundled. */
    public static String uplotVersion() {
        return BUILD.getProperty("uplot.version", "unknown");
    }

    static String uplotJs() {
        return webjar("dist/uPlot.iife.min.js");
    }

    static String uplotCss() {
        return webjar("dist/uPlot.min.css");
    }

    /** A file of this package's resources ({@code report.js}, {@code report.css}, ...). */
    static String own(String name) {
        return text("/io/stampede/reports/html/" + name);
    }

    private static String webjar(String file) {
        return text("/META-INF/resources/webjars/uplot/" + uplotVersion() + "/" + file);
    }

    private static String text(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " (is the uPlot webjar on the classpath?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Assets.class.getResourceAsStream("/io/stampede/reports/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
