package ecgdetector.view.feed;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What the view has read of one topic: written by the reader, read by pages and metrics. */
public final class TopicCounts {

    private final String role;
    private final String topic;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicReference<String> note = new AtomicReference<>("not looked for yet");
    private volatile boolean read;

    TopicCounts(String role, String topic) {
        this.role = role;
        this.topic = topic;
    }

    /** What the topic is to the view: {@code scores}, {@code alerts}, {@code alarms}, {@code heartbeats}, ... */
    public String role() {
        return role;
    }

    public String topic() {
        return topic;
    }

    /** Records read, readable or not. */
    public long records() {
        return records.get();
    }

    /** Records skipped because they do not read. */
    public long skipped() {
        return skipped.get();
    }

    /** Whether the view reads the topic now. */
    public boolean isRead() {
        return read;
    }

    /** Why the topic is not read, or null. */
    public String note() {
        return note.get();
    }

    void record() {
        records.incrementAndGet();
    }

    void skip() {
        skipped.incrementAndGet();
    }

    void reading() {
        read = true;
        note.set(null);
    }

    void absent(String why) {
        read = false;
        note.set(why);
    }
}
