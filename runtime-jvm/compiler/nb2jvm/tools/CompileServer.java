package nb2jvm.tools;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Global;
import scala.tools.nsc.Settings;
import scala.tools.nsc.reporters.ConsoleReporter;

/**
 * A warm compiler for batch builds: one JVM that compiles the generated Scala (scalac from the
 * pyspark jars) and Java (the JDK's javac) for many notebooks, so that only the first compile
 * pays for loading and JIT-compiling the compilers.
 *
 * <p>Protocol on stdin/stdout: a request is a line {@code scala} or {@code java}, one argument
 * per line, and an empty line; the reply is a line {@code OK n} or {@code FAIL n} followed by
 * n bytes of UTF-8 compiler output. Anything else the compilers print goes to stderr.
 */
public final class CompileServer {
  private CompileServer() {}

  public static void main(String[] argv) throws Exception {
    PrintStream reply = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(System.err); // keep the reply channel clean
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    String kind;
    while ((kind = in.readLine()) != null) {
      List<String> args = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) args.add(line);
      StringWriter log = new StringWriter();
      boolean ok;
      try {
        ok = "scala".equals(kind) ? scala(args, log) : java(args, log);
      } catch (Throwable t) { // a compiler crash is a failed compile, not a dead server
        t.printStackTrace(new PrintWriter(log, true));
        ok = false;
      }
      byte[] text = log.toString().getBytes(StandardCharsets.UTF_8);
      reply.print((ok ? "OK " : "FAIL ") + text.length + "\n");
      reply.write(text);
      reply.flush();
    }
  }

  private static boolean scala(List<String> args, StringWriter log) {
    PrintWriter out = new PrintWriter(log, true);
    Settings settings = new Settings();
    ConsoleReporter reporter = new ConsoleReporter(settings,
        new BufferedReader(new StringReader("")), out);
    Tuple2<Object, scala.collection.immutable.List<String>> parsed =
        settings.processArguments(CollectionConverters.asScala(args).toList(), true);
    if (!(Boolean) parsed._1()) {
      out.println("bad scalac arguments: " + args);
      return false;
    }
    Global global = new Global(settings, reporter);
    Global.Run run = global.new Run();
    run.compile(parsed._2());
    reporter.finish();
    return !reporter.hasErrors();
  }

  private static boolean java(List<String> args, StringWriter log) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = javac.run(null, out, out, args.toArray(new String[0]));
    log.write(out.toString(StandardCharsets.UTF_8));
    return code == 0;
  }
}
