package ecgdetector.view.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import ecgdetector.schemas.Json;
import ecgdetector.view.ward.BeatPoint;
import ecgdetector.view.ward.TileData;
import ecgdetector.view.ward.TileLevel;
import ecgdetector.view.ward.TileRenderer;
import ecgdetector.view.ward.WardState;
import ecgdetector.view.ward.Wire;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the ward to the browsers: every tick it takes the tiles that changed (a new score, a new level, a feed
 * gone silent) and offers one update to every browser watching the ward, and to those watching a patient what is
 * new of that patient. Offering never blocks ({@link ClientChannel}); drawing happens here, on this one thread,
 * never on the reader of Kafka.
 */
public final class Broadcaster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);
    /** An update with nothing new but the status is sent at most this often. */
    private static final long STATUS_EVERY_MS = 2_000;

    private final WardState ward;
    private final TileRenderer renderer;
    private final Supplier<Wire.Status> status;
    private final int queueCapacity;
    private final long keepAliveMs;
    private final Set<ClientChannel> wardClients = new CopyOnWriteArraySet<>();
    private final Map<String, Set<ClientChannel>> patientClients = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ward-push");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, TileData> shown = new LinkedHashMap<>();
    /** Per patient watched: the last window and history entry pushed, so updates carry only what is new. */
    private final Map<String, long[]> cursors = new HashMap<>();

    private volatile Map<TileLevel, Long> levels = Map.of();
    private long lastSentMs;

    /**
     * @param status        how the reading goes (its clients and dropped figures are filled in here)
     * @param queueCapacity updates a browser may be behind before they are dropped
     * @param keepAliveMs   how often an idle stream gets a keep-alive comment
     */
    public Broadcaster(
            WardState ward, TileRenderer renderer, Supplier<Wire.Status> status, int queueCapacity, long keepAliveMs) {
        this.ward = ward;
        this.renderer = renderer;
        this.status = status;
        this.queueCapacity = queueCapacity;
        this.keepAliveMs = keepAliveMs;
    }

    public Broadcaster start(long tickMs) {
        ticks.scheduleWithFixedDelay(this::tickSafely, tickMs, tickMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** A browser watching the ward. */
    public ClientChannel watchWard() {
        ClientChannel c = new ClientChannel(queueCapacity, () -> frame("ward", ward()), keepAliveMs, dropped);
        wardClients.add(c);
        return c;
    }

    /** A browser watching one patient. */
    public ClientChannel watchPatient(String patientKey) {
        ClientChannel c = new ClientChannel(
                queueCapacity, () -> frame("patient", patient(patientKey).orElse(null)), keepAliveMs, dropped);
        patientClients
                .computeIfAbsent(patientKey, k -> new CopyOnWriteArraySet<>())
                .add(c);
        return c;
    }

    public void leave(ClientChannel c) {
        c.close();
        wardClients.remove(c);
        patientClients.values().forEach(set -> set.remove(c));
        patientClients.values().removeIf(Set::isEmpty);
    }

    /** Browsers connected. */
    public int clients() {
        return wardClients.size()
                + patientClients.values().stream().mapToInt(Set::size).sum();
    }

    /** Updates dropped for browsers that did not keep up, since the start. */
    public long dropped() {
        return dropped.get();
    }

    /** Patients per tile level, as last pushed. */
    public Map<TileLevel, Long> levels() {
        return levels;
    }

    /** The whole ward, as a page opened now shows it. */
    public synchronized Wire.Ward ward() {
        List<TileData> tiles = ward.tiles(System.currentTimeMillis());
        return new Wire.Ward(tiles.stream().map(renderer::render).toList(), status());
    }

    /** One patient's whole page, or empty if the view has nothing of that patient. */
    public synchronized Optional<Wire.Patient> patient(String patientKey) {
        return ward.patient(patientKey, System.currentTimeMillis(), 0, 0)
                .map(p -> new Wire.Patient(
                        true, renderer.render(p.tile()), beats(resolvedPrefix(p.beats())), p.scores(), p.history()));
    }

    private Wire.Status status() {
        return status.get().withClients(clients(), dropped());
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // A bug here must not stop the pushes for good: the next tick tries again.
            log.error("Ward view: pushing an update failed", e);
        }
    }

    synchronized void tick() {
        long now = System.currentTimeMillis();
        List<TileData> tiles = ward.tiles(now);
        List<Wire.Tile> changed = new ArrayList<>();
        List<String> order = new ArrayList<>(tiles.size());
        Set<String> present = new HashSet<>();
        Map<TileLevel, Long> count = new EnumMap<>(TileLevel.class);
        Map<String, Wire.Tile> changedByPatient = new HashMap<>();
        for (TileData t : tiles) {
            order.add(t.patientId());
            present.add(t.patientId());
            count.merge(t.level(), 1L, Long::sum);
            if (t.differsFrom(shown.get(t.patientId())) || renderer.pending(t.patientId())) {
                Wire.Tile tile = renderer.render(t);
                changed.add(tile);
                changedByPatient.put(t.patientId(), tile);
                shown.put(t.patientId(), t);
            }
        }
        List<String> removed = new ArrayList<>();
        shown.keySet().removeIf(id -> !present.contains(id) && removed.add(id));
        renderer.retain(present);
        levels = count;
        if (!changed.isEmpty() || !removed.isEmpty() || now - lastSentMs >= STATUS_EVERY_MS) {
            Frame f = frame("ward-change", new Wire.WardChange(changed, order, removed, status()));
            wardClients.forEach(c -> c.offer(f));
            lastSentMs = now;
        }
        pushPatients(changedByPatient, now);
    }

    private void pushPatients(Map<String, Wire.Tile> changed, long now) {
        cursors.keySet().retainAll(patientClients.keySet());
        for (Map.Entry<String, Set<ClientChannel>> watched : patientClients.entrySet()) {
            String key = watched.getKey();
            Wire.Tile tile = changed.get(key);
            if (tile == null) {
                continue;
            }
            long[] cursor = cursors.computeIfAbsent(key, k -> new long[2]);
            Optional<WardState.PatientSnapshot> p = ward.patient(key, now, cursor[0], cursor[1]);
            if (p.isEmpty()) {
                continue;
            }
            List<BeatPoint> fresh = resolvedPrefix(p.get().beats());
            List<Wire.ScorePoint> scores = p.get().scores().stream()
                    .filter(s -> fresh.isEmpty()
                            || s.seq() <= fresh.get(fresh.size() - 1).seq())
                    .toList();
            if (!fresh.isEmpty()) {
                cursor[0] = fresh.get(fresh.size() - 1).seq();
            }
            List<Wire.HistoryEntry> history = p.get().history();
            if (!history.isEmpty()) {
                cursor[1] = history.get(history.size() - 1).seq();
            }
            Frame f = frame(
                    "patient",
                    new Wire.Patient(false, tile, beats(fresh), fresh.isEmpty() ? List.of() : scores, history));
            watched.getValue().forEach(c -> c.offer(f));
        }
    }

    /** The windows up to the first whose samples are still to come: a browser is sent each window once, settled. */
    private static List<BeatPoint> resolvedPrefix(List<BeatPoint> beats) {
        List<BeatPoint> out = new ArrayList<>();
        for (BeatPoint b : beats) {
            if (b.samples() == null && b.samplesNote() == null) {
                break;
            }
            out.add(b);
        }
        return out;
    }

    private static List<Wire.Beat> beats(List<BeatPoint> beats) {
        return beats.stream()
                .map(b -> new Wire.Beat(b.seq(), b.windowId(), b.eventTimeMs(), b.anomaly(), b.score(), b.samples()))
                .toList();
    }

    static Frame frame(String event, Object data) {
        try {
            return new Frame(event, Json.mapper().writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a " + event + " update", e);
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        wardClients.forEach(ClientChannel::close);
        patientClients.values().forEach(set -> set.forEach(ClientChannel::close));
    }
}
