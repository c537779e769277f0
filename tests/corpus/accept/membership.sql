-- feature set: f
SELECT
  *
FROM IDENTIFIER(:t) AS `t0`
WHERE
  `t0`.`qty` BETWEEN 1 AND 10
  AND `t0`.`name` IN ('a', 'b')
  AND NOT (
    `t0`.`id` = 3
  );

