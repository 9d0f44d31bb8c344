package ecgdetector.view.web;

/**
 * One Server-Sent Event: its type and its JSON data.
 *
 * @param event {@code ward}, {@code ward-change}, {@code patient}, {@code notice}, ...
 * @param data  the JSON, one line
 */
public record Frame(String event, String data) {}
