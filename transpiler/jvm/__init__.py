"""The JVM side: JDK choice, the runtime library, a local Spark session through JPype, scalac/javac."""
