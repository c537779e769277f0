-- feature set: big
SELECT
  *
FROM IDENTIFIER(:t) AS `t0`
WHERE
  `t0`.`amount` > 50;

-- feature set: counts
SELECT
  `t1`.`name`,
  COUNT(*) AS `n`
FROM (
  SELECT
    *
  FROM IDENTIFIER(:t) AS `t0`
  WHERE
    `t0`.`amount` > 50
) AS `t1`
GROUP BY
  1;

