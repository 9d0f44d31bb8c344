package ecgdetector.view.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientChannelTest {

    /** A browser that takes the first frame, then blocks until let go. */
    private static final class StuckSink implements ClientChannel.Sink {
        final List<Frame> received = new CopyOnWriteArrayList<>();
        final CountDownLatch letGo = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);

        @Override
        public void send(Frame frame) {
            received.add(frame);
            if (received.size() == 2) {
                blocked.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void keepAlive() {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    @Test
    void offeringNeverBlocksAndABrowserThatFellBehindGetsANoticeAndTheWholeState() throws Exception {
        AtomicLong total = new AtomicLong();
        AtomicLong snapshots = new AtomicLong();
        ClientChannel channel = new ClientChannel(
                3, () -> new Frame("ward", "{\"snapshot\":" + snapshots.incrementAndGet() + "}"), 60_000, total);
        StuckSink sink = new StuckSink();
        Thread writer = new Thread(() -> {
            try {
                channel.serve(sink);
            } catch (Exception e) {
                // closed
            }
        });
        writer.start();
        channel.offer(new Frame("ward-change", "1"));
        assertThat(sink.blocked.await(10, TimeUnit.SECONDS)).isTrue();

        // The writer is stuck in its second send: 999 more offers return at once. Three fit in the queue; the
        // fourth finds it full, and then all of them are dropped, the queued ones too (the state follows whole).
        for (int i = 2; i <= 1000; i++) {
            channel.offer(new Frame("ward-change", String.valueOf(i)));
        }
        assertThat(channel.dropped()).isEqualTo(999);
        assertThat(total.get()).isEqualTo(channel.dropped());

        // Once the writer is back it owes the browser the notice and the whole state; an update offered before it
        // has sent them is dropped too (the state it sends is taken after it), so the next one waits for them.
        sink.letGo.countDown();
        awaitReceived(sink, "{\"snapshot\":2}");
        channel.offer(new Frame("ward-change", "after"));
        awaitReceived(sink, "after");
        channel.close();
        writer.interrupt();
        writer.join(5_000);

        List<String> events = sink.received.stream().map(Frame::event).toList();
        assertThat(events.subList(0, 4)).containsExactly("ward", "ward-change", "notice", "ward");
        assertThat(sink.received.get(2).data()).contains("999 updates were dropped");
        assertThat(sink.received.get(3).data()).isEqualTo("{\"snapshot\":2}");
        assertThat(sink.received.get(4).data()).isEqualTo("after");
        assertThat(channel.dropped()).isEqualTo(999);
    }

    private static void awaitReceived(StuckSink sink, String data) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.received.stream().noneMatch(f -> f.data().equals(data))) {
            assertThat(System.nanoTime()).as("the browser receives " + data).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
