package ecgdetector.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Sends the embedded broker's and the Kafka clients' log lines to a file instead of the console while the
 * bench runs: the console is for progress, and a busy broker's notes (leader elections on fresh topics, the
 * known {@code OutOfOrderSequenceException} of KAFKA-18202 that the producer retries) would bury it.
 */
final class LogRouting implements AutoCloseable {

    private static final List<String> ROUTED = List.of("org.apache.kafka", "kafka", "state.change.logger");

    private final FileAppender<ILoggingEvent> appender;
    private final LoggerContext context;

    private LogRouting(LoggerContext context, FileAppender<ILoggingEvent> appender) {
        this.context = context;
        this.appender = appender;
    }

    /** Routes Kafka's loggers to {@code file}; does nothing (and says so by returning null) without logback. */
    static LogRouting toFile(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return null;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("bench-kafka-file");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        for (String name : ROUTED) {
            Logger logger = context.getLogger(name);
            logger.addAppender(appender);
            logger.setAdditive(false);
        }
        return new LogRouting(context, appender);
    }

    @Override
    public void close() {
        for (String name : ROUTED) {
            Logger logger = context.getLogger(name);
            logger.detachAppender(appender);
            logger.setAdditive(true);
        }
        appender.stop();
    }
}
