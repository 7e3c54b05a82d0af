-- The warning-level gate of the model monitoring: a PSI at or above var model_psi_alert. It warns (the build goes
-- on, the run summary shows it and the alert channels hear of it): a population shift asks for a look at the
-- model, not for holding back the day's list.
{{ config(severity='warn') }}
select
    as_of_date,
    metric,
    subject,
    baseline,
    psi
from {{ ref('model_monitoring') }}
where status = 'alert'
