package ecgdetector.broker.testing;

import ecgdetector.broker.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real Kafka broker for every test class of a test JVM that needs security: SASL/SCRAM-SHA-256 on its
 * only client listener and ACLs enforced, nothing allowed that no ACL allows. Its own {@code clientProperties()}
 * log in as the super user {@code admin}; tests add the users they need ({@link #createUser}) and grant them
 * exactly what they should have ({@link #grant}).
 *
 * <pre>{@code
 * @ExtendWith(SaslKafkaBrokerExtension.class)
 * class SecureIT {
 *     @Test
 *     void works(EmbeddedKafkaBroker broker) { ... }
 * }
 * }</pre>
 *
 * Use it instead of, not beside, {@link KafkaBrokerExtension} on a test class: both resolve
 * {@link EmbeddedKafkaBroker} parameters.
 */
public final class SaslKafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

    public static final String ADMIN_PASSWORD = "admin-secret";
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SaslKafkaBrokerExtension.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker(extensionContext);
    }

    private static EmbeddedKafkaBroker broker(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedSaslBroker.class, key -> SharedSaslBroker.start(), SharedSaslBroker.class)
                .broker;
    }

    /**
     * Adds (or changes the password of) a SCRAM user and returns once that user can log in: credentials
     * reach the broker through the metadata log, a moment after the controller accepted them.
     */
    public static void createUser(EmbeddedKafkaBroker broker, String user, String password) {
        EmbeddedKafkaBroker.Sasl sasl = broker.sasl().orElseThrow(() -> new IllegalStateException("no SASL"));
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user,
                            new ScramCredentialInfo(ScramMechanism.fromMechanismName(sasl.mechanism()), 4096),
                            password)))
                    .all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user, e);
        }
        Properties login = broker.clientProperties();
        login.putAll(sasl.clientProperties(user, password));
        login.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        login.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        KafkaTestUtils.waitForCondition(
                () -> {
                    try (Admin admin = Admin.create(login)) {
                        admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException | TimeoutException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                TIMEOUT,
                () -> "SCRAM user " + user + " could not log in");
    }

    /** Client properties for {@code user}: bootstrap servers and the SASL login, nothing else. */
    public static Properties clientProperties(EmbeddedKafkaBroker broker, String user, String password) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.putAll(broker.sasl().orElseThrow().clientProperties(user, password));
        return props;
    }

    /** Creates ACLs as the super user and returns once the broker enforces them. */
    public static void grant(EmbeddedKafkaBroker broker, List<AclBinding> acls) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createAcls(acls).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            // ACLs too travel through the metadata log; wait until the broker lists all of them.
            KafkaTestUtils.waitForCondition(
                    () -> {
                        try {
                            return acls.stream().allMatch(acl -> {
                                try {
                                    return admin.describeAcls(acl.toFilter())
                                            .values()
                                            .get(5, TimeUnit.SECONDS)
                                            .contains(acl);
                                } catch (ExecutionException | TimeoutException | InterruptedException e) {
                                    return false;
                                }
                            });
                        } catch (RuntimeException e) {
                            return false;
                        }
                    },
                    TIMEOUT,
                    () -> "ACLs " + acls + " not visible");
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw new IllegalStateException("cannot create ACLs " + acls, e);
        }
    }

    /** Stored in the root store, which closes AutoCloseable values when the test run ends. */
    static final class SharedSaslBroker implements AutoCloseable {
        final EmbeddedKafkaBroker broker;

        private SharedSaslBroker(EmbeddedKafkaBroker broker) {
            this.broker = broker;
        }

        static SharedSaslBroker start() {
            Exit.setExitProcedure((status, message) -> {
                throw new IllegalStateException("Kafka asked to exit the JVM with status " + status + ": " + message);
            });
            Exit.setHaltProcedure((status, message) -> {
                throw new IllegalStateException("Kafka asked to halt the JVM with status " + status + ": " + message);
            });
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                    .sasl(EmbeddedKafkaBroker.Sasl.scram(ADMIN_PASSWORD, Map.of()))
                    .build();
            try {
                broker.start();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return new SharedSaslBroker(broker);
        }

        @Override
        public void close() {
            try {
                broker.close();
            } finally {
                Exit.resetExitProcedure();
                Exit.resetHaltProcedure();
            }
        }
    }
}
