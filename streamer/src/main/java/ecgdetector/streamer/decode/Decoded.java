package ecgdetector.streamer.decode;

/** What {@link HeartbeatDecoder} makes of one input record: a window to score, or the reason it is not one. */
public sealed interface Decoded permits HeartbeatWindow, Rejection {}
