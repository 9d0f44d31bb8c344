package ecgdetector.view;

import ecgdetector.view.feed.TopicCounts;
import ecgdetector.view.feed.WardFeed;
import ecgdetector.view.ward.TileLevel;
import ecgdetector.view.web.Broadcaster;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The view's own meters, on its {@code /metrics}. Prometheus names:
 * <ul>
 *   <li>{@code ecg_view_patients{state}}: patients shown, by tile level ({@code feed-silent}, {@code alarm-high},
 *       {@code anomaly-high}, {@code normal}, ...: {@link TileLevel#id()});</li>
 *   <li>{@code ecg_view_records_total{role}}, {@code ecg_view_records_skipped_total{role}}: records read, and
 *       skipped as unreadable, per topic read ({@code scores}, {@code alerts}, {@code alarms}, {@code heartbeats},
 *       {@code models});</li>
 *   <li>{@code ecg_view_clients}: browsers connected; {@code ecg_view_updates_dropped_total}: updates dropped for
 *       browsers that did not keep up;</li>
 *   <li>the JVM's memory, GC and thread meters.</li>
 * </ul>
 * No meter has a patient id as a tag.
 */
final class ViewMetrics {

    private ViewMetrics() {}

    static PrometheusMeterRegistry create(WardFeed feed, Broadcaster broadcaster) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (TileLevel level : TileLevel.values()) {
            Gauge.builder("ecg.view.patients", broadcaster, b -> b.levels().getOrDefault(level, 0L))
                    .description("patients shown, by tile level")
                    .tag("state", level.id())
                    .register(registry);
        }
        for (TopicCounts t : feed.counts()) {
            FunctionCounter.builder("ecg.view.records", t, TopicCounts::records)
                    .description("records read, per topic the view reads")
                    .tag("role", t.role())
                    .register(registry);
            FunctionCounter.builder("ecg.view.records.skipped", t, TopicCounts::skipped)
                    .description("records skipped as unreadable, per topic the view reads")
                    .tag("role", t.role())
                    .register(registry);
        }
        Gauge.builder("ecg.view.clients", broadcaster, Broadcaster::clients)
                .description("browsers connected")
                .register(registry);
        FunctionCounter.builder("ecg.view.updates.dropped", broadcaster, Broadcaster::dropped)
                .description("updates dropped for browsers that did not keep up")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        return registry;
    }
}
