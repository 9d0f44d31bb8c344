package ecgdetector.broker.testing;

import ecgdetector.broker.EmbeddedKafkaBroker;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker for every test class of a test JVM: started by the first class that asks for it and
 * closed when JUnit finishes, through the root context's store.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class ScoringIT {
 *     @Test
 *     void scores(EmbeddedKafkaBroker broker) { ... broker.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * The broker is shared, so each test should use its own topics ({@link KafkaTestUtils#uniqueTopic(String)},
 * {@code TopicNames.defaults().withPrefix(...)}).
 *
 * <p>While the broker runs, Kafka's {@link Exit} throws instead of ending the JVM: a fatal broker error then
 * fails the test at hand rather than killing the whole run without a report.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    private static volatile EmbeddedKafkaBroker shared;

    @Override
    public void beforeAll(ExtensionContext context) {
        sharedBroker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return sharedBroker(extensionContext);
    }

    /**
     * The shared broker, for code that cannot take it as a parameter.
     *
     * @throws IllegalStateException if no test class with this extension has started yet
     */
    public static EmbeddedKafkaBroker broker() {
        EmbeddedKafkaBroker broker = shared;
        if (broker == null) {
            throw new IllegalStateException("No shared Kafka broker yet: annotate the test class with "
                    + "@ExtendWith(KafkaBrokerExtension.class)");
        }
        return broker;
    }

    private static EmbeddedKafkaBroker sharedBroker(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedBroker.class, key -> SharedBroker.start(), SharedBroker.class)
                .broker;
    }

    /** Stored in the root store, which closes AutoCloseable values when the test run ends. */
    static final class SharedBroker implements AutoCloseable {
        final EmbeddedKafkaBroker broker;

        private SharedBroker(EmbeddedKafkaBroker broker) {
            this.broker = broker;
        }

        static SharedBroker start() {
            Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
            Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
            try {
                broker.start();
            } catch (RuntimeException e) {
                broker.close();
                resetExit();
                throw e;
            }
            shared = broker;
            return new SharedBroker(broker);
        }

        @Override
        public void close() {
            shared = null;
            try {
                broker.close();
            } finally {
                resetExit();
            }
        }

        private static void refuse(String what, int status, String message) {
            log.error("Kafka asked to {} the JVM with status {}: {}; refused in tests", what, status, message);
            throw new IllegalStateException(
                    "Kafka asked to " + what + " the JVM with status " + status + ": " + message);
        }

        private static void resetExit() {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }
}
