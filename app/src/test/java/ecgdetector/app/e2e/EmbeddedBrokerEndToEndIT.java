package ecgdetector.app.e2e;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import java.util.Properties;
import org.junit.jupiter.api.extension.ExtendWith;

/** The end-to-end scenarios on the in-process broker every test JVM shares: runs everywhere, no Docker. */
@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedBrokerEndToEndIT extends EndToEndScenarios {

    @Override
    protected String bootstrapServers() {
        return KafkaBrokerExtension.broker().bootstrapServers();
    }

    @Override
    protected Properties clientProperties() {
        return KafkaBrokerExtension.broker().clientProperties();
    }

    /**
     * A broker of the demo's own: on the shared one, other test classes (DemoIT) use the real topic names too,
     * and the demo's streamer would score the windows they left on {@code ecg.heartbeats}.
     */
    @Override
    protected DemoCluster demoCluster() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
        return new DemoCluster(broker.clientProperties(), broker::close);
    }
}
