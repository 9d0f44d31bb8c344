package ecgdetector.streamer.membership;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before an instance joins its group: no live member of the group may already use its name. Kafka Streams gives
 * each stream thread's consumer the static membership id {@code NAME-N}; a second instance joining under the
 * same name would take the first one's place and fence it, so two instances would end up taking turns.
 *
 * <p>A member under this name whose client id is this instance's own (Kafka Streams derives it from the process
 * id kept in the state folder) is this instance's previous run, killed before its session ended: it is replaced
 * at once. Any other member under this name may also be a dead previous run (on another host, or before its
 * state was discarded), so the check waits for it to leave, up to a session timeout and a bit; a member still
 * there after that is alive, and the instance stops with one line.
 */
public final class InstanceNameCheck {

    private static final Logger log = LoggerFactory.getLogger(InstanceNameCheck.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private InstanceNameCheck() {}

    /**
     * Returns once no other member of {@code group} uses {@code name}, or if the group cannot be described for a
     * reason other than a refusal (then Kafka's own fencing still stops one of two same-named instances).
     *
     * @param ownClientId this instance's Kafka Streams client id; its stream threads' consumers' ids start with it
     * @throws IllegalStateException naming the member, if another one keeps using the name for longer than
     *                               {@code sessionTimeout} plus a few seconds
     * @throws AuthorizationException if this principal may not describe the group, so may not join it either
     * @throws AuthenticationException if the login is refused
     */
    public static void requireUnused(
            Map<String, Object> adminConfig, String group, String name, String ownClientId, Duration sessionTimeout)
            throws InterruptedException {
        Pattern ownName = Pattern.compile(Pattern.quote(name) + "-\\d+");
        long deadline = System.nanoTime() + sessionTimeout.plusSeconds(3).toNanos();
        boolean said = false;
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                List<MemberDescription> others;
                try {
                    others = describe(admin, group).members().stream()
                            .filter(m -> m.groupInstanceId()
                                    .map(id -> ownName.matcher(id).matches())
                                    .orElse(false))
                            .filter(m -> !m.clientId().startsWith(ownClientId + "-"))
                            .toList();
                } catch (GroupIdNotFoundException e) {
                    return;
                } catch (AuthorizationException | AuthenticationException e) {
                    // Not a reason to go on: the stream threads need READ on the group (which includes DESCRIBE)
                    // and would fail the same way, but only once a model serves and they are added.
                    throw e;
                } catch (ApiException | ExecutionException | TimeoutException e) {
                    log.warn(
                            "Could not check that no other member of group {} is named {} ({}); going on",
                            group,
                            name,
                            e.getMessage());
                    return;
                }
                if (others.isEmpty()) {
                    return;
                }
                MemberDescription other = others.get(0);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("instance name '" + name + "' is taken: member "
                            + other.groupInstanceId().orElse("?") + " of group " + group + " (client "
                            + other.clientId() + " at " + other.host() + ") has used it for longer than the session"
                            + " timeout, so it is alive; give each instance its own --instance-name"
                            + " (ECG_INSTANCE_NAME)");
                }
                if (!said) {
                    said = true;
                    log.info(
                            "Member {} of group {} (client {} at {}) has this instance's name; waiting up to {} s for"
                                    + " it to leave (a previous run of this instance that died leaves within the"
                                    + " session timeout)",
                            other.groupInstanceId().orElse("?"),
                            group,
                            other.clientId(),
                            other.host(),
                            sessionTimeout.plusSeconds(3).toSeconds());
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    private static ConsumerGroupDescription describe(Admin admin, String group)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw e;
        }
    }
}
