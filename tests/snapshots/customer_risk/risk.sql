SELECT
  `t1`.`user_id`,
  `t1`.`bucket`,
  COUNT(*) AS `n`,
  SUM(`t1`.`amount`) AS `total`
FROM (
  SELECT
    `t0`.`tx_id`,
    `t0`.`user_id`,
    `t0`.`amount`,
    `t0`.`currency`,
    `t0`.`merchant_category`,
    `t0`.`ts`,
    `t0`.`is_online`,
    NB2JVM_RISK_BUCKET_9D009DAB(
      CAST(`t0`.`amount` AS DOUBLE),
      CAST(`t0`.`is_online` AS BOOLEAN),
      CAST(EXTRACT(hour FROM `t0`.`ts`) AS BIGINT),
      CAST(`t0`.`merchant_category` AS STRING)
    ) AS `bucket`
  FROM IDENTIFIER(:transactions) AS `t0`
) AS `t1`
GROUP BY
  1,
  2
