package ecgdetector.app;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.alarms.AlarmEvaluation;
import ecgdetector.trainer.alarms.AlarmSelection;
import ecgdetector.trainer.alarms.AlarmSelectionRecord;
import ecgdetector.trainer.alarms.NestedAlarmEvaluation;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.model.KerasStyleProgress;
import ecgdetector.trainer.selection.OutOfFoldScores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "alarms",
        header = "The alarm rules on seeded scenario feeds: their defaults chosen on the training part's out-of-fold"
                + " scores (--select), and their figures on held-out test beats (docs/alarms.md).",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = AlarmsCommand.ReleaseSourceOptions.class,
        description = {
            "Trains the model (or reuses one trained from the same data and settings), then",
            "builds patient streams from its held-out test beats only: normal patients at",
            "60-100 bpm, patients with a run of 1..10 abnormal beats at a random time, and",
            "synthetic flat, clipped and out-of-range beats. Runs the streamer's alarm engine",
            "on them and prints false alarms per patient-hour against per-beat alerts, episode",
            "sensitivity by run length, time to RAISED, the quality rule's rates and the",
            "trade-off curve of the N-of-M rule family.",
            "",
            "Writes DIR/alarms-evaluation.json and DIR/alarms-evaluation.md.",
            "",
            "With --select, chooses the rules' defaults instead: the training part (never the",
            "test part) cut into the folds of ./ecg select, the recipe trained on each fold's",
            "rest, every training beat scored by the model and threshold of the fold that did",
            "not train on it; the same feeds built from those beats, every N of M, ratio and K",
            "of the rule family, and the candidate with the widest margin against the",
            "targets (at most 1 false alarm per patient-hour, sensitivity 0.95 for runs of 3",
            "and 0.99 for runs of 5 or more). Prints the sweep and writes",
            "DIR/alarm-selection.json (commit it as the trainer's alarm-selection.json: the",
            "code's defaults are held to it) and DIR/alarm-selection.md.",
            "",
            "With --split-seeds, runs that whole protocol once per split seed: the release",
            "trained as ./ecg train --seed N trains it, the rule chosen on that split's",
            "training part alone, and the choice measured on that split's test part; prints",
            "each split's figures and their mean and spread, and writes",
            "DIR/alarms-splits.json and DIR/alarms-splits.md."
        })
final class AlarmsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/alarms",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "13",
            description = "Seed of the scenario feeds (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--patient-hours",
            defaultValue = "50",
            description = "Normal patient-hours per rule (default ${DEFAULT-VALUE}).")
    int patientHours;

    @Option(
            names = "--trials",
            defaultValue = "1000",
            description = "Inserted runs per run length and rule (default ${DEFAULT-VALUE}).")
    int trials;

    @Option(
            names = "--select",
            description = "Choose the defaults on the training part's out-of-fold scores instead of evaluating them on"
                    + " the test part.")
    boolean select;

    @Option(
            names = "--split-seeds",
            paramLabel = "N[,N...]",
            split = ",",
            description = "Choose and evaluate on each of these splits in turn (e.g. 1,2,3,4,5), each split's rule"
                    + " chosen on its own training part.")
    List<Long> splitSeeds = List.of();

    @Override
    public Integer call() throws Exception {
        if (patientHours < 1 || trials < 1) {
            throw new IllegalArgumentException("--patient-hours and --trials must be at least 1");
        }
        TrainingSettingOptions.ReleaseSource source = TrainingSettingOptions.releaseSource(spec);
        Path dataFile = DataSource.standard(System.out::println).resolve(source.data());
        EcgDataset dataset = EcgCsv.read(dataFile);
        TrainingOptions options = TrainingOptions.of(source.recipe(), source.data(), out.resolve("train"));
        TrainingJob job = new TrainingJob(System.out, KerasStyleProgress.toStandardOutput());
        if (!splitSeeds.isEmpty()) {
            if (select) {
                throw new IllegalArgumentException("--split-seeds chooses on every split already; leave out --select");
            }
            Files.createDirectories(out);
            return splits(job, options, dataset, source.retrain());
        }
        Optional<TrainingResult> reused = source.retrain() ? Optional.empty() : job.reuse(options, dataset);
        TrainingResult trained = reused.isPresent() ? reused.get() : job.run(options, dataset);
        Files.createDirectories(out);
        if (select) {
            return select(trained, options, dataset);
        }
        AlarmEvaluation.Figures figures =
                new AlarmEvaluation(trained, seed, patientHours, trials).run(AlarmRule.DEFAULT);
        String markdown = AlarmEvaluation.markdown(figures);
        System.out.println(markdown);
        Files.write(
                out.resolve("alarms-evaluation.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(figures));
        Files.writeString(out.resolve("alarms-evaluation.md"), markdown, StandardCharsets.UTF_8);
        System.out.println("Wrote " + out.resolve("alarms-evaluation.json") + " and alarms-evaluation.md");
        return 0;
    }

    private int select(TrainingResult trained, TrainingOptions options, EcgDataset dataset) throws java.io.IOException {
        Heartbeats training = StratifiedSplit.split(dataset.beats(), options.testFraction(), options.seed())
                .kept();
        System.out.printf(
                "Scoring the %d beats of the training part out of fold: %d folds, each trained with the recipe%n",
                training.size(), OutOfFoldScores.DEFAULT_FOLDS);
        OutOfFoldScores outOfFold =
                OutOfFoldScores.of(options, training, OutOfFoldScores.DEFAULT_FOLDS, System.out::println);
        AlarmSelectionRecord record = AlarmSelection.run(
                trained,
                outOfFold,
                AlarmSelection.Grid.standard(),
                AlarmSelection.Targets.issue(),
                seed,
                patientHours,
                trials,
                System.out::println);
        String markdown = AlarmSelection.markdown(record, 0);
        System.out.println(markdown);
        record.write(out.resolve("alarm-selection.json"));
        Files.writeString(out.resolve("alarm-selection.md"), markdown, StandardCharsets.UTF_8);
        System.out.println("Wrote " + out.resolve("alarm-selection.json") + " and alarm-selection.md");
        return 0;
    }

    private int splits(TrainingJob job, TrainingOptions options, EcgDataset dataset, boolean retrain) throws Exception {
        NestedAlarmEvaluation.Record record = NestedAlarmEvaluation.run(
                splitSeeds,
                splitSeed -> {
                    TrainingOptions run = options.withSeed(splitSeed).withOut(out.resolve("split-" + splitSeed));
                    Optional<TrainingResult> reused = retrain ? Optional.empty() : job.reuse(run, dataset);
                    TrainingResult trained = reused.isPresent() ? reused.get() : job.run(run, dataset);
                    Heartbeats training = StratifiedSplit.split(dataset.beats(), run.testFraction(), run.seed())
                            .kept();
                    System.out.printf(
                            "Split seed %d: scoring the %d beats of its training part out of fold%n",
                            splitSeed, training.size());
                    return new NestedAlarmEvaluation.Split(
                            trained,
                            OutOfFoldScores.of(run, training, OutOfFoldScores.DEFAULT_FOLDS, System.out::println));
                },
                AlarmSelection.Grid.standard(),
                AlarmSelection.Targets.issue(),
                seed,
                patientHours,
                trials,
                System.out::println);
        String markdown = NestedAlarmEvaluation.markdown(record);
        System.out.println(markdown);
        Files.write(
                out.resolve("alarms-splits.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        Files.writeString(out.resolve("alarms-splits.md"), markdown, StandardCharsets.UTF_8);
        System.out.println("Wrote " + out.resolve("alarms-splits.json") + " and alarms-splits.md");
        return 0;
    }

    /** {@code --data}, {@code --recipe} as {@code ./ecg train} declares them, and {@code --retrain}. */
    static final class ReleaseSourceOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            TrainingSettingOptions.addReleaseSource(command);
            return command;
        }
    }
}
