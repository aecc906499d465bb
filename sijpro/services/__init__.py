"""Use cases over the database: patients, procedures, scheduling, collection, outcomes, imports, audit,
auth and protocols, reached through ``sijpro.services.clinic.Clinic``. They return the plain records of
``sijpro.records``, never ORM rows."""
