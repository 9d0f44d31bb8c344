package ecgdetector.model.kafka;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * A cluster that refused a client: its login (authentication) or an operation (an ACL). Neither goes away by
 * retrying, so the commands stop at once and say which it was, where, and as whom, in one line.
 */
public final class KafkaRefusal {

    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private KafkaRefusal() {}

    /** The authentication or authorization failure somewhere in {@code error}'s causes, if there is one. */
    public static Optional<ApiException> find(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return Optional.of((ApiException) t);
            }
        }
        return Optional.empty();
    }

    /**
     * One line for a person: for example {@code Kafka at 127.0.0.1:9092 refused the login of user 'trainer'
     * (SASL SCRAM-SHA-256): Authentication failed ...; check sasl.mechanism and sasl.jaas.config}.
     *
     * @param clientProperties the client's settings, to name the cluster and the user (never the password)
     * @param need             what the principal needs for the failed operation, e.g. {@code WRITE and DESCRIBE
     *                         on topic ecg.models}; used only for authorization failures
     */
    public static String describe(ApiException refusal, Map<?, ?> clientProperties, String need) {
        String cluster = String.valueOf(clientProperties.get("bootstrap.servers"));
        if (refusal instanceof AuthenticationException) {
            Object mechanism = clientProperties.get("sasl.mechanism");
            return "Kafka at " + cluster + " refused the login" + user(clientProperties, " of user ")
                    + (mechanism != null ? " (SASL " + mechanism + ")" : "") + ": "
                    + refusal.getClass().getSimpleName() + ": " + refusal.getMessage()
                    + "; check security.protocol, sasl.mechanism and sasl.jaas.config (user name and password)";
        }
        return "Kafka at " + cluster + " denied" + user(clientProperties, " user ") + " an operation: "
                + refusal.getClass().getSimpleName() + ": " + refusal.getMessage()
                + "; an ACL must allow " + need;
    }

    /** {@code prefix + 'NAME'} from the JAAS line, or nothing. */
    private static String user(Map<?, ?> clientProperties, String prefix) {
        Object jaas = clientProperties.get("sasl.jaas.config");
        if (jaas == null) {
            return "";
        }
        Matcher m = USERNAME.matcher(jaas.toString());
        return m.find() ? prefix + "'" + m.group(1) + "'" : "";
    }
}
