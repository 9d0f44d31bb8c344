package ecgdetector.schemas;

/** What reading one {@code ecg.heartbeats} record gives: a window to score, or the reason it is not one. */
public sealed interface Decoded permits HeartbeatWindow, Rejection {}
