package nb2jvm.runtime;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Python's {@code unicodedata} for UDFs: {@code normalize}, {@code is_normalized},
 * {@code category}, {@code combining}, from the tables of the notebook's Python
 * ({@link PyUnicodeDataTables}, generated), not the JDK's (another Unicode version).
 *
 * <p>Normalization is UAX #15: the full decomposition of each character (canonical, or
 * compatibility for NFKC/NFKD; Hangul syllables by arithmetic), canonical ordering of each run of
 * non-starters (a stable sort by combining class), then for NFC/NFKC the canonical composition
 * of each character with the last starter when nothing between blocks it.
 */
public final class PyUnicodedata {
  private PyUnicodedata() {}

  private static final Map<Integer, int[]> NFD = mapping(PyUnicodeDataTables.nfd());
  private static final Map<Integer, int[]> NFKD = mapping(PyUnicodeDataTables.nfkd());
  private static final Map<Integer, Integer> CCC = new HashMap<>();
  private static final Map<Long, Integer> COMPOSE = new HashMap<>();
  private static final int[] CATEGORY_START;
  private static final String[] CATEGORY;

  private static final int S_BASE = 0xAC00;
  private static final int L_BASE = 0x1100;
  private static final int V_BASE = 0x1161;
  private static final int T_BASE = 0x11A7;
  private static final int L_COUNT = 19;
  private static final int V_COUNT = 21;
  private static final int T_COUNT = 28;
  private static final int N_COUNT = V_COUNT * T_COUNT;
  private static final int S_COUNT = L_COUNT * N_COUNT;

  static {
    for (String entry : PyUnicodeDataTables.combining().split(",")) {
      int colon = entry.indexOf(':');
      CCC.put(Integer.parseInt(entry.substring(0, colon), 16),
          Integer.parseInt(entry.substring(colon + 1), 16));
    }
    for (String entry : PyUnicodeDataTables.composites().split(",")) {
      int colon = entry.indexOf(':');
      String[] pair = entry.substring(0, colon).split("\\.");
      COMPOSE.put(key(Integer.parseInt(pair[0], 16), Integer.parseInt(pair[1], 16)),
          Integer.parseInt(entry.substring(colon + 1), 16));
    }
    String[] runs = PyUnicodeDataTables.categories().split(",");
    CATEGORY_START = new int[runs.length];
    CATEGORY = new String[runs.length];
    for (int i = 0; i < runs.length; i++) {
      int colon = runs[i].indexOf(':');
      CATEGORY_START[i] = Integer.parseInt(runs[i].substring(0, colon), 16);
      CATEGORY[i] = runs[i].substring(colon + 1).intern();
    }
  }

  private static Map<Integer, int[]> mapping(String table) {
    Map<Integer, int[]> m = new HashMap<>();
    if (table.isEmpty()) return m;
    for (String entry : table.split(",")) {
      int colon = entry.indexOf(':');
      String[] parts = entry.substring(colon + 1).split("\\.");
      int[] cps = new int[parts.length];
      for (int i = 0; i < parts.length; i++) cps[i] = Integer.parseInt(parts[i], 16);
      m.put(Integer.parseInt(entry.substring(0, colon), 16), cps);
    }
    return m;
  }

  private static long key(int a, int b) {
    return ((long) a << 21) | b;
  }

  // ---- normalize -----------------------------------------------------------------------------

  /** {@code unicodedata.normalize(form, s)}. */
  public static String normalize(String form, String s) {
    boolean compat;
    boolean compose;
    switch (form) {
      case "NFC": compat = false; compose = true; break;
      case "NFD": compat = false; compose = false; break;
      case "NFKC": compat = true; compose = true; break;
      case "NFKD": compat = true; compose = false; break;
      default: throw PyError.value("invalid normalization form");
    }
    if (ascii(s)) return s;  // every form leaves ASCII as it is
    int[] d = decompose(s, compat);
    int n = d.length;
    reorder(d);
    if (compose) n = compose(d);
    return new String(d, 0, n);
  }

  /** {@code unicodedata.is_normalized(form, s)}. */
  public static boolean isNormalized(String form, String s) {
    return normalize(form, s).equals(s);
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
    return true;
  }

  private static int[] decompose(String s, boolean compat) {
    int[] out = new int[Math.max(16, s.length() * 2)];
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      int[] parts = null;
      if (c >= S_BASE && c < S_BASE + S_COUNT) {
        int k = c - S_BASE;
        int t = T_BASE + k % T_COUNT;
        parts = t == T_BASE ? new int[] {L_BASE + k / N_COUNT, V_BASE + (k % N_COUNT) / T_COUNT}
            : new int[] {L_BASE + k / N_COUNT, V_BASE + (k % N_COUNT) / T_COUNT, t};
      } else if (compat && NFKD.containsKey(c)) {
        parts = NFKD.get(c);
      } else {
        parts = NFD.get(c);
      }
      int more = parts == null ? 1 : parts.length;
      if (n + more > out.length) out = Arrays.copyOf(out, (n + more) * 2);
      if (parts == null) {
        out[n++] = c;
      } else {
        System.arraycopy(parts, 0, out, n, parts.length);
        n += parts.length;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static int ccc(int c) {
    Integer k = CCC.get(c);
    return k == null ? 0 : k;
  }

  /** Canonical ordering: each run of non-starters stably sorted by combining class. */
  private static void reorder(int[] d) {
    for (int i = 1; i < d.length; i++) {
      int k = ccc(d[i]);
      if (k == 0) continue;
      int j = i;
      while (j > 0 && ccc(d[j - 1]) > k) {
        int t = d[j];
        d[j] = d[j - 1];
        d[j - 1] = t;
        j--;
      }
    }
  }

  /** Canonical composition in place (UAX #15's reference algorithm); the new length. */
  private static int compose(int[] d) {
    if (d.length == 0) return 0;
    int starterPos = 0;
    int starter = d[0];
    int lastClass = ccc(starter) == 0 ? 0 : 256;  // a leading non-starter composes with nothing
    int out = 1;
    for (int i = 1; i < d.length; i++) {
      int c = d[i];
      int cls = ccc(c);
      int composite = composite(starter, c);
      if (composite >= 0 && (lastClass < cls || lastClass == 0)) {
        d[starterPos] = composite;
        starter = composite;
      } else {
        if (cls == 0) {
          starterPos = out;
          starter = c;
        }
        lastClass = cls;
        d[out++] = c;
      }
    }
    return out;
  }

  private static int composite(int a, int b) {
    if (a >= L_BASE && a < L_BASE + L_COUNT && b >= V_BASE && b < V_BASE + V_COUNT) {
      return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
    }
    if (a >= S_BASE && a < S_BASE + S_COUNT && (a - S_BASE) % T_COUNT == 0
        && b > T_BASE && b < T_BASE + T_COUNT) {
      return a + (b - T_BASE);
    }
    Integer c = COMPOSE.get(key(a, b));
    return c == null ? -1 : c;
  }

  // ---- character properties ------------------------------------------------------------------

  private static int one(String ch, String fn) {
    if (ch.isEmpty() || ch.codePointCount(0, ch.length()) != 1) {
      throw PyError.type(fn + "() argument must be a unicode character, not str");
    }
    return ch.codePointAt(0);
  }

  /** {@code unicodedata.category(ch)}: the two-letter general category ("Cn" unassigned). */
  public static String category(String ch) {
    int c = one(ch, "category");
    int i = Arrays.binarySearch(CATEGORY_START, c);
    return CATEGORY[i >= 0 ? i : -i - 2];
  }

  /** {@code unicodedata.combining(ch)}: the canonical combining class. */
  public static long combining(String ch) {
    return ccc(one(ch, "combining"));
  }
}
