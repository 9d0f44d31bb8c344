# One image for every ./ecg command: `docker run IMAGE train ...`, `docker run IMAGE stream ...`.
# TensorFlow's natives are bundled for linux/x86_64, so the image is amd64.
FROM --platform=linux/amd64 maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas schemas
COPY model model
COPY broker broker
COPY trainer trainer
COPY streamer streamer
COPY view view
COPY app app
# The bench module's pom only, so that the reactor reads; its code (./ecg bench) stays out of the image.
COPY bench/pom.xml bench/pom.xml
RUN mvn -B -q -DskipTests -pl app -am package

FROM --platform=linux/amd64 eclipse-temurin:17-jre
# curl for the health checks in docker-compose.yml.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# The key pair's folders, owned by the user: a new named volume mounted there starts with this owner.
RUN useradd --create-home --uid 10001 ecg \
    && mkdir -p /home/ecg/signing /home/ecg/verify \
    && chown ecg:ecg /home/ecg/signing /home/ecg/verify && chmod 700 /home/ecg/signing
WORKDIR /app
COPY --from=build /src/app/target/lib/ lib/
COPY --from=build /src/app/target/ecg-app.jar ecg-app.jar
USER ecg
# TF's natives unpack into JavaCPP's cache on first start; keep it in the user's home. The heap is the launcher's
# (./ecg, default_heap; docs/reliability.md, "Memory"): TensorFlow's memory is native, outside it.
ENV TF_CPP_MIN_LOG_LEVEL=3 \
    JAVA_TOOL_OPTIONS="-Xmx384m -Xms64m -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true -Djava.awt.headless=true"
ENTRYPOINT ["java", "-cp", "/app/ecg-app.jar:/app/lib/*", "ecgdetector.app.Main"]
CMD ["--help"]
