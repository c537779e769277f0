-- feature set: ratio
SELECT
  `t0`.`id`,
  `t0`.`name`,
  `t0`.`amount`,
  `t0`.`qty`,
  `t0`.`ts`,
  `t0`.`s`,
  `t0`.`a`,
  IF(
    `t0`.`qty` = 0,
    IF(
      `t0`.`amount` IS NULL,
      NULL,
      IF(
        ISNAN(CAST(`t0`.`amount` AS DOUBLE)) OR (
          `t0`.`amount` = 0
        ),
        CAST('NaN' AS DOUBLE),
        IF(
          (
            `t0`.`amount` > 0
          ) = (
            NOT CAST(`t0`.`qty` AS STRING) LIKE '-%'
          ),
          CAST('Infinity' AS DOUBLE),
          CAST('-Infinity' AS DOUBLE)
        )
      )
    ),
    `t0`.`amount` / `t0`.`qty`
  ) AS `r`
FROM IDENTIFIER(:t) AS `t0`;

