"""The words of the reports in English and French, and numbers, dates and p-values as papers print them.

Instrument and timepoint names come from their own data files; only the reports' own words live here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sijpro.errors import UserError
from sijpro.instruments.model import half_up

if TYPE_CHECKING:
    from sijpro.analysis.thresholds import Threshold

LANGUAGES = ("en", "fr")
NBSP = "\u00a0"

_TEXT: dict[str, tuple[str, str]] = {
    # key: (English, French)
    "patient_title": ("Patient-reported outcomes after sacroiliac-joint fusion",
                      "Résultats rapportés par le patient après arthrodèse sacro-iliaque"),
    "patient": ("Patient", "Patient(e)"),
    "mrn": ("MRN", "N° de dossier"),
    "age": ("Age", "Âge"),
    "years": ("{n} years", "{n} ans"),
    "sex": ("Sex", "Sexe"),
    "sex.F": ("Female", "Femme"),
    "sex.M": ("Male", "Homme"),
    "sex.X": ("Other", "Autre"),
    "index_surgery": ("Index surgery", "Intervention de référence"),
    "side.left": ("left", "gauche"),
    "side.right": ("right", "droite"),
    "side.bilateral": ("bilateral", "bilatérale"),
    "approach.lateral": ("lateral transiliac approach", "voie latérale transiliaque"),
    "approach.posterior": ("posterior approach", "voie postérieure"),
    "staged_side": ("Staged second side", "Second côté différé"),
    "none": ("none", "aucun"),
    "no_surgery": ("no index surgery recorded", "aucune intervention de référence enregistrée"),
    "protocol": ("Protocol", "Protocole"),
    "protocol_version": ("{name}, version {version}", "{name}, version {version}"),
    "unknown": ("unknown", "inconnu"),
    "months_axis": ("Months from surgery", "Mois depuis l’opération"),
    "missing": ("missing", "manquant"),
    "norm": ("US norm (50)", "norme US (50)"),
    "chart_pain": ("Pain (NRS, 0-10)", "Douleur (EN, 0-10)"),
    "chart_sf12": ("SF-12 summary scores", "Scores résumés du SF-12"),
    "chart_relief": ("Pain relief and satisfaction", "Soulagement et satisfaction"),
    "no_answer_yet": ("no answer yet", "pas encore de réponse"),
    "timepoint": ("Timepoint", "Temps"),
    "date": ("Date", "Date"),
    "status": ("Status", "Statut"),
    "status.in_window": ("in window", "dans la fenêtre"),
    "status.late": ("late (+{days} d)", "en retard (+{days} j)"),
    "status.early": ("early", "en avance"),
    "status.missing": ("missing", "manquant"),
    "status.cancelled": ("cancelled", "annulé"),
    "status.due": ("due now", "à faire"),
    "status.upcoming": ("upcoming", "à venir"),
    "status.overdue": ("overdue ({days} d)", "en retard ({days} j)"),
    "status.scheduled": ("scheduled", "prévue"),
    "worklist.title": ("Worklist for {day}", "Liste de travail du {day}"),
    "worklist.counts": ("{overdue} overdue, {due} due, {upcoming} upcoming, {missed} recently missed",
                        "{overdue} en retard, {due} à faire, {upcoming} à venir, {missed} manquées récemment"),
    "worklist.section.overdue": ("Overdue", "En retard"),
    "worklist.section.due": ("Due now", "À faire"),
    "worklist.section.upcoming": ("Upcoming", "À venir"),
    "worklist.section.missed": ("Recently missed", "Manquées récemment"),
    "worklist.col.state": ("State", "État"),
    "worklist.col.patient": ("Patient", "Patient(e)"),
    "worklist.col.born": ("Born", "Né(e) le"),
    "worklist.col.visit": ("Visit", "Visite"),
    "worklist.col.due": ("Due", "Prévue le"),
    "worklist.col.window": ("Window", "Fenêtre"),
    "worklist.col.to_do": ("To do", "À remplir"),
    "worklist.none": ("Nobody.", "Personne."),
    "due_on": ("due {date}", "prévu le {date}"),
    "satisfaction": ("Satisfaction", "Satisfaction"),
    "score.nrs.lumbar": ("NRS back", "EN lombaire"),
    "score.nrs.radicular": ("NRS leg", "EN radiculaire"),
    "score.odi.odi": ("ODI", "ODI"),
    "score.sf12.pcs": ("PCS", "PCS"),
    "score.sf12.mcs": ("MCS", "MCS"),
    "relief": ("Relief", "Soulagement"),
    "patient_note": (
        "Δ: change from before surgery. ✓: improved by at least the minimal clinically important difference "
        "({mcid}). Missing answers are shown as missing, never as zero.",
        "Δ : variation depuis l’avant-opération. ✓ : amélioration au moins égale à la différence minimale "
        "cliniquement importante ({mcid}). Les réponses manquantes sont indiquées comme manquantes, jamais "
        "comme zéro.",
    ),
    "points": ("{n} points", "{n} points"),
    "page": ("Page {page} of {pages}", "Page {page} sur {pages}"),
    "generated": ("Generated {when}", "Généré le {when}"),
    "scoring": ("Scoring: {versions}", "Cotation : {versions}"),
    # cohort
    "cohort_title": ("Cohort summary", "Synthèse de la cohorte"),
    "all_patients": ("all patients", "tous les patients"),
    "filters": ("Patients: {filters}", "Patients : {filters}"),
    "n_patients": ("{n} patients", "{n} patients"),
    "where.fbss.1": ("with FBSS", "avec syndrome d’échec de chirurgie rachidienne"),
    "where.fbss.0": ("without FBSS", "sans syndrome d’échec de chirurgie rachidienne"),
    "where.prior_lumbosacral_fusion.1": ("with prior lumbosacral fusion", "avec arthrodèse lombo-sacrée antérieure"),
    "where.prior_lumbosacral_fusion.0": ("without prior lumbosacral fusion",
                                         "sans arthrodèse lombo-sacrée antérieure"),
    "where.sex": ("sex {value}", "sexe {value}"),
    "where.site": ("site {value}", "centre {value}"),
    "where.intervention.1": ("with prior {name}", "avec antécédent : {name}"),
    "where.intervention.0": ("without prior {name}", "sans antécédent : {name}"),
    "where.age_from": ("aged {value} or more at surgery", "âgés de {value} ans ou plus à l’opération"),
    "where.age_to": ("aged {value} or less at surgery", "âgés de {value} ans ou moins à l’opération"),
    "where.side": ("{value} side", "côté {value}"),
    "where.approach": ("{value}", "{value}"),
    "where.surgery_from": ("operated from {value}", "opérés à partir du {value}"),
    "where.surgery_to": ("operated until {value}", "opérés jusqu’au {value}"),
    "table1": ("Table 1. Baseline clinical and demographic variables",
               "Tableau 1. Caractéristiques cliniques et démographiques initiales"),
    "variable": ("Variable", "Variable"),
    "mean_sd_or_n_pct": ("Mean ± SD or n (%)", "Moyenne ± ET ou n (%)"),
    "mean_range": ("Mean (range)", "Moyenne (min–max)"),
    "known": ("Known", "Renseigné"),
    "age_years": ("Age at surgery (years)", "Âge à l’opération (ans)"),
    "female": ("Sex, female", "Sexe, féminin"),
    "male": ("Sex, male", "Sexe, masculin"),
    "sex_other": ("Sex, other", "Sexe, autre"),
    "bmi": ("BMI (kg/m²)", "IMC (kg/m²)"),
    "fbss": ("History of failed back surgery syndrome", "Antécédent de syndrome d’échec de chirurgie rachidienne"),
    "bilateral": ("Bilateral fusion", "Arthrodèse bilatérale"),
    "prior_lumbar_surgeries": ("Prior lumbar surgeries", "Chirurgies lombaires antérieures"),
    "prior_lumbosacral_fusion": ("Prior lumbosacral fusion", "Arthrodèse lombo-sacrée antérieure"),
    "past_procedures": ("Past procedural history", "Antécédents de procédures"),
    "SCS": ("Spinal cord stimulator", "Neurostimulation médullaire"),
    "ISS": ("Interspinous spacer", "Espaceur interépineux"),
    "IDDS": ("Intrathecal pump", "Pompe intrathécale"),
    "MILD": ("Minimally invasive lumbar decompression", "Décompression lombaire mini-invasive"),
    "RFA": ("Radiofrequency ablation", "Radiofréquence"),
    "INJ": ("Injections", "Infiltrations"),
    "follow_up_days": ("Time from SIJ fusion to last follow-up (days)",
                       "Délai entre l’arthrodèse et le dernier suivi (jours)"),
    "table_outcome": ("Table {number}. {score}", "Tableau {number}. {score}"),
    "n": ("n", "n"),
    "mean_sd": ("Mean ± SD", "Moyenne ± ET"),
    "n_paired": ("Paired", "Appariés"),
    "change": ("Change", "Variation"),
    "pct_of_means": ("% of means", "% des moyennes"),
    "mean_pct": ("Mean %", "% moyen"),
    "p_t": ("p (t-test)", "p (test t)"),
    "p_w": ("p (Wilcoxon)", "p (Wilcoxon)"),
    "mcid_rate": ("MCID ≥{mcid}", "DMCI ≥{mcid}"),
    "score": ("Score", "Score"),
    "results_at": ("Results ({when})", "Résultats ({when})"),
    "n_model": ("Patients / values", "Patients / valeurs"),
    "model_title": ("Table {number}. Estimated means by timepoint, linear mixed model [95% CI]",
                    "Tableau {number}. Moyennes estimées par temps de suivi, modèle linéaire mixte [IC 95 %]"),
    "model_note": (
        "Every value of every patient, with a random intercept per patient (REML); unlike the paired tests, a "
        "patient missing one timepoint still counts at the others.",
        "Toutes les valeurs de tous les patients, avec un intercept aléatoire par patient (REML) ; "
        "contrairement aux tests appariés, un patient manquant à un temps compte aux autres.",
    ),
    "model_chart_title": ("Figure 3. Estimated means by timepoint, linear mixed model (95% CI)",
                          "Figure 3. Moyennes estimées par temps de suivi, modèle linéaire mixte (IC 95 %)"),
    "methods.model": (
        "A linear mixed model was fitted to each score over all timepoints (timepoint as a factor, a random "
        "intercept per patient, restricted maximum likelihood), using every available value; its estimated "
        "means are given with 95% Wald intervals beside the complete-case paired tests.",
        "Un modèle linéaire mixte a été ajusté à chaque score sur tous les temps (temps en facteur, intercept "
        "aléatoire par patient, maximum de vraisemblance restreint), avec toutes les valeurs disponibles ; "
        "ses moyennes estimées sont données avec leurs intervalles de Wald à 95 % à côté des tests appariés "
        "sur cas complets.",
    ),
    "baseline_section": ("Baseline clinical and demographic variables", "Caractéristiques initiales"),
    "compare_title": ("Table {number}. Comparison by {by}", "Tableau {number}. Comparaison selon {by}"),
    "compare.fbss": ("failed back surgery syndrome", "syndrome d’échec de chirurgie rachidienne"),
    "compare.site": ("site", "centre"),
    "compare.sex": ("sex", "sexe"),
    "compare.side": ("side", "côté"),
    "compare.approach": ("approach", "voie d’abord"),
    "compare.prior_lumbosacral_fusion": ("prior lumbosacral fusion", "arthrodèse lombo-sacrée antérieure"),
    "compare_note": (
        "Mean ± SD or n (%) [95% CI]; patients whose value is unknown are in no group. p: Mann-Whitney U test "
        "(Kruskal-Wallis with more than two groups) for values, Fisher's exact test (chi-square with more than "
        "two groups) for counts.",
        "Moyenne ± ET ou n (%) [IC 95 %] ; les patients dont la valeur est inconnue ne sont dans aucun groupe. "
        "p : test U de Mann-Whitney (Kruskal-Wallis au-delà de deux groupes) pour les valeurs, test exact de "
        "Fisher (khi-deux au-delà de deux groupes) pour les effectifs.",
    ),
    "complication.wound_infection": ("Superficial wound infection", "Infection superficielle du site opératoire"),
    "complication.deep_infection": ("Deep infection", "Infection profonde"),
    "complication.implant_malposition": ("Implant malposition", "Malposition d’implant"),
    "complication.nerve_injury": ("Nerve injury / radicular pain", "Lésion nerveuse / douleur radiculaire"),
    "complication.haematoma": ("Haematoma", "Hématome"),
    "complication.thromboembolism": ("Thromboembolism (DVT / PE)", "Thrombo-embolie (TVP / EP)"),
    "complication.non_union": ("Implant loosening / non-union", "Descellement / absence de fusion"),
    "complication.other": ("Other", "Autre"),
    "complications_title": ("Table {number}. Complications and reoperations",
                            "Tableau {number}. Complications et réinterventions"),
    "complication_col": ("Complication", "Complication"),
    "complications_heading": ("Complications and reoperations", "Complications et réinterventions"),
    "no_complications": ("No complication recorded.", "Aucune complication enregistrée."),
    "side_col": ("Side", "Côté"),
    "yes": ("Yes", "Oui"),
    "no": ("No", "Non"),
    "notes_col": ("Notes", "Notes"),
    "patients_col": ("Patients, n (%) [95% CI]", "Patients, n (%) [IC 95 %]"),
    "events_col": ("Events", "Événements"),
    "any_complication": ("Any complication", "Au moins une complication"),
    "reoperation": ("Reoperation (revision)", "Réintervention (reprise)"),
    "success_row": ("Success: {when} (n = {n})", "Succès : {when} (n = {n})"),
    "complications_note": (
        "Patients with at least one (each counted once per row) of the {n} patients of the cohort; events: "
        "every complication recorded.",
        "Patients avec au moins un événement (comptés une fois par ligne) parmi les {n} patients de la "
        "cohorte ; événements : toutes les complications enregistrées.",
    ),
    "success_note": (
        "Success (as in INSITE): {score} improved by at least {threshold} without a reoperation up to that "
        "follow-up, among the patients with both scores.",
        "Succès (comme dans INSITE) : {score} amélioré d’au moins {threshold} sans réintervention jusqu’à ce "
        "suivi, parmi les patients ayant les deux scores.",
    ),
    "eligible": ("Due by now", "Dus à ce jour"),
    "answered": ("Answered", "Répondus"),
    "missed_col": ("Missed", "Manqués"),
    "pending": ("Being collected", "En cours de recueil"),
    "not_yet_due": ("Not yet due", "Pas encore dus"),
    "completeness_title": ("Table {number}. Follow-up completeness", "Tableau {number}. Exhaustivité du suivi"),
    "completeness_note": (
        "Visits by their state today. Due by now: the window has opened (answered + missed + being collected); "
        "being collected: due or overdue (up to 30 days after the window closed); % of those due by now. "
        "Cancelled visits (withdrawals) are not counted.",
        "Visites selon leur état ce jour. Dus à ce jour : fenêtre ouverte (répondus + manqués + en cours) ; en "
        "cours de recueil : à faire ou en retard (jusqu’à 30 jours après la fermeture de la fenêtre) ; % des "
        "visites dues à ce jour. Les visites annulées (retraits) ne sont pas comptées.",
    ),
    "followed": ("Followed up (n={n})", "Suivis (n={n})"),
    "lost": ("Not answered (n={n})", "Sans réponse (n={n})"),
    "p_between": ("p (test)", "p (test)"),
    "test.mann-whitney": ("Mann-Whitney", "Mann-Whitney"),
    "test.kruskal-wallis": ("Kruskal-Wallis", "Kruskal-Wallis"),
    "test.fisher": ("Fisher", "Fisher"),
    "test.chi-square": ("chi-square", "khi-deux"),
    "lost_title": ("Table {number}. Baseline of the patients followed up and of those not answered ({when})",
                   "Tableau {number}. Caractéristiques initiales des patients suivis et sans réponse ({when})"),
    "lost_note": (
        "Followed up: answered at this timepoint; not answered: due there by now but not answered (missed or "
        "still being collected). Mean ± SD or n (%); p: Mann-Whitney U test or Fisher's exact test.",
        "Suivis : ont répondu à ce temps ; sans réponse : visite due à ce jour mais sans réponse (manquée ou en "
        "cours). Moyenne ± ET ou n (%) ; p : test U de Mann-Whitney ou test exact de Fisher.",
    ),
    "flow.operated": ("Patients with an index surgery: {n}", "Patients avec intervention de référence : {n}"),
    "flow.eligible": ("Due by now: {n}", "Dus à ce jour : {n}"),
    "flow.answered": ("Answered: {n}", "Répondus : {n}"),
    "flow.missed": ("Missed: {n}", "Manqués : {n}"),
    "flow.pending": ("Being collected: {n}", "En cours de recueil : {n}"),
    "flow.not_yet_due": ("Not yet due: {n}", "Pas encore dus : {n}"),
    "flow_title": ("Figure {number}. Follow-up flow", "Figure {number}. Flux du suivi"),
    "methods": ("Statistical methods", "Méthodes statistiques"),
    "methods.statistics": (
        "Continuous variables are given as mean ± standard deviation (sample, n−1), median and range; counts "
        "as n (%) of the patients for whom the variable is known. Changes are follow-up minus baseline in the "
        "patients with both values (paired), rounded to 10 decimals before testing so that equal changes stay "
        "tied; they are tested with the paired t-test (scipy.stats.ttest_rel) and the Wilcoxon signed-rank "
        "test (scipy.stats.wilcoxon, two-sided, zero differences dropped). '% of means' is the change of the "
        "paired means over the baseline mean; 'Mean %' is the mean of each patient's change over their "
        "baseline, leaving out baselines of 0.",
        "Les variables continues sont données en moyenne ± écart-type (échantillon, n−1), médiane et étendue ; "
        "les effectifs en n (%) des patients pour qui la variable est connue. Les variations sont le suivi "
        "moins la valeur initiale chez les patients ayant les deux (appariés), arrondies à 10 décimales avant "
        "les tests pour que des variations égales restent ex aequo ; elles sont testées par le test t apparié "
        "(scipy.stats.ttest_rel) et le test des rangs signés de Wilcoxon (scipy.stats.wilcoxon, bilatéral, "
        "différences nulles écartées). « % des moyennes » est la variation des moyennes appariées rapportée "
        "à la moyenne initiale ; « % moyen » la moyenne des variations individuelles rapportées à la valeur "
        "initiale de chacun, les valeurs initiales nulles exclues.",
    ),
    "methods.intervals": (
        "95% confidence intervals: Student's t interval for mean changes, the Wilson score interval for the "
        "proportions of responders.",
        "Intervalles de confiance à 95 % : intervalle t de Student pour les variations moyennes, intervalle de "
        "score de Wilson pour les proportions de répondeurs.",
    ),
    "methods.thresholds": (
        "Responder thresholds (SIJ-PRO threshold library {version}): {thresholds}.",
        "Seuils de réponse (bibliothèque de seuils SIJ-PRO {version}) : {thresholds}.",
    ),
    "methods.missing": (
        "Missing data are not imputed. The ODI is scored with up to {odi} unanswered section(s) (the sum over "
        "5 × the sections answered); the SF-12 summary scores need every item; NRS, satisfaction and relief "
        "are the answers themselves.",
        "Les données manquantes ne sont pas imputées. L’ODI est calculé avec au plus {odi} section(s) sans "
        "réponse (la somme rapportée à 5 × les sections répondues) ; les scores résumés du SF-12 exigent tous "
        "les items ; l’EN, la satisfaction et le soulagement sont les réponses elles-mêmes.",
    ),
    "methods.last": (
        "'Last follow-up' is, for each patient and each score, the latest completed follow-up visit (by date "
        "of completion) at which that score exists; follow-up time runs from the index surgery to the latest "
        "completed follow-up.",
        "« Dernier suivi » est, pour chaque patient et chaque score, la dernière visite de suivi complétée (par "
        "date) où ce score existe ; la durée de suivi va de l’intervention de référence au dernier suivi "
        "complété.",
    ),
    "methods.completeness": (
        "Completeness counts each visit by its state on {day}: answered (completed), missed, being collected "
        "(due, or overdue up to 30 days after its window closed) and not yet due; a baseline is missed once "
        "the surgery has happened and an unfinished visit once the next timepoint's window has opened. The "
        "baseline of the patients followed up is compared with that of the patients due but not answered "
        "with the Mann-Whitney U test (continuous) and Fisher's exact test (counts).",
        "L’exhaustivité compte chaque visite selon son état au {day} : répondue (complétée), manquée, en cours "
        "de recueil (à faire, ou en retard jusqu’à 30 jours après la fermeture de sa fenêtre) et pas encore "
        "due ; une visite initiale est manquée dès l’opération passée et une visite inachevée dès l’ouverture "
        "de la fenêtre suivante. Les caractéristiques initiales des patients suivis et des patients dus sans "
        "réponse sont comparées par le test U de Mann-Whitney (continues) et le test exact de Fisher "
        "(effectifs).",
    ),
    "methods.software": ("Software: {software}.", "Logiciels : {software}."),
    "to": ("to", "à"),
    "change_ci": ("Change [95% CI]", "Variation [IC 95 %]"),
    "responders.mcid": ("MCID reached [95% CI]", "DMCI atteinte [IC 95 %]"),
    "responders.scb": ("SCB reached [95% CI]", "BCS atteint [IC 95 %]"),
    "responders.pass": ("PASS reached [95% CI]", "PASS atteint [IC 95 %]"),
    "responders_title": ("Table {number}. Responders and changes with their 95% confidence intervals",
                         "Tableau {number}. Répondeurs et variations avec leurs intervalles de confiance à 95 %"),
    "responders_note": (
        "Paired patients. Change: mean of follow-up minus baseline, with its t interval. Responders: share of the "
        "paired patients (for a percentage threshold, those with a baseline other than 0), with its Wilson score "
        "interval. MCID: minimal clinically important difference; SCB: substantial clinical benefit; PASS: "
        "patient-acceptable symptom state. Thresholds: {thresholds}.",
        "Patients appariés. Variation : moyenne du suivi moins la valeur initiale, avec son intervalle t. "
        "Répondeurs : part des patients appariés (pour un seuil en pourcentage, ceux dont la valeur initiale "
        "n’est pas 0), avec son intervalle de score de Wilson. DMCI : différence minimale cliniquement "
        "importante ; BCS : bénéfice clinique substantiel ; PASS : état symptomatique acceptable. "
        "Seuils : {thresholds}.",
    ),
    "threshold.mcid.points": ("MCID improvement ≥{value} points", "DMCI amélioration ≥{value} points"),
    "threshold.mcid.percent": ("MCID improvement ≥{value} of baseline", "DMCI ≥{value} de la valeur initiale"),
    "threshold.scb.points": ("SCB improvement ≥{value} points", "BCS amélioration ≥{value} points"),
    "threshold.scb.percent": ("SCB improvement ≥{value} of baseline", "BCS ≥{value} de la valeur initiale"),
    "threshold.pass.points": ("PASS score {value} or better", "PASS score {value} ou mieux"),
    "last": ("Last follow-up", "Dernier suivi"),
    "last_lower": ("at last follow-up", "au dernier suivi"),
    "before_surgery": ("before surgery", "avant l’opération"),
    "outcome_note": (
        "Changes are follow-up minus baseline on the patients with both values (paired); '% of means' is "
        "the change of the paired means, 'Mean %' the mean of each patient's change (baseline 0 left out). "
        "p: paired t-test and Wilcoxon signed-rank test. MCID: patients improved by at least the minimal "
        "clinically important difference.",
        "Variations : suivi moins valeur initiale, chez les patients ayant les deux mesures (appariés) ; "
        "« % des moyennes » est la variation des moyennes appariées, « % moyen » la moyenne des variations "
        "individuelles (valeur initiale 0 exclue). p : test t apparié et test des rangs signés de Wilcoxon. "
        "DMCI : patients améliorés d’au moins la différence minimale cliniquement importante.",
    ),
    "went_from": (
        "{score} went from {before} before surgery to {after} {when}, {change} of the mean ({p}; n={n} paired).",
        "{score} : de {before} avant l’opération à {after} {when}, {change} de la moyenne ({p} ; n={n} appariés).",
    ),
    "reduction": ("a reduction of {pct}%", "soit une diminution de {pct} %"),
    "increase": ("an increase of {pct}%", "soit une augmentation de {pct} %"),
    "no_change": ("no change", "sans changement"),
    "at_last_cap": ("At the last follow-up", "Au dernier suivi"),
    "results": ("Results", "Résultats"),
    "chart_relief_mean": ("Pain relief (%)", "Soulagement de la douleur (%)"),
    "satisfaction_title": ("Table {number}. Satisfaction with the surgery",
                           "Tableau {number}. Satisfaction après l’opération"),
    "satisfied_sentence": (
        "{when}, {pct}% of patients were satisfied or very satisfied with the surgery (n={n}).",
        "{when}, {pct} % des patients étaient satisfaits ou très satisfaits de l’opération (n={n}).",
    ),
    "satisfied_or_very": ("Satisfied or very satisfied", "Satisfaits ou très satisfaits"),
    "relief_title": ("Table {number}. Patient-reported pain relief (%) at last follow-up",
                     "Tableau {number}. Soulagement de la douleur rapporté par le patient (%) au dernier suivi"),
    "relief_by_timepoint": ("Table {number}. Patient-reported pain relief (%) by timepoint",
                            "Tableau {number}. Soulagement de la douleur rapporté (%) par temps de suivi"),
    "relief_col": ("Patient-reported pain relief (%)", "Soulagement de la douleur rapporté (%)"),
    "overall_mean": ("Overall mean (n={n})", "Moyenne globale (n={n})"),
    "ge": ("Greater than or equal to {threshold}%", "Supérieur ou égal à {threshold} %"),
    "relief_sentence": (
        "{when}, the mean patient-reported pain relief was {mean}% ± {sd}%; {n30} patients "
        "({pct30}%) reported relief of ≥30% and {n80} ({pct80}%) of ≥80%.",
        "{when}, le soulagement moyen rapporté était de {mean} % ± {sd} % ; {n30} patients "
        "({pct30} %) rapportaient un soulagement ≥30 % et {n80} ({pct80} %) ≥80 %.",
    ),
    "follow_up_sentence": (
        "The mean time between SIJ fusion and the last follow-up was {mean} ± {sd} days, median {median} "
        "(IQR {q1}–{q3}) (n={n}).",
        "Le délai moyen entre l’arthrodèse et le dernier suivi était de {mean} ± {sd} jours, médiane {median} "
        "(EIQ {q1}–{q3}) (n={n}).",
    ),
    "at_span": ("at {span}", "à {span}"),
    "span_years.one": ("{n} year", "{n} an"),
    "span_years.other": ("{n} years", "{n} ans"),
    "worse": ("Pain worse than before surgery", "Douleur pire qu’avant l’opération"),
    "worse_short": ("Worse", "Pire"),
    "at_least": ("≥{threshold}%", "≥{threshold} %"),
    "trajectory_title": ("Figure 2. Mean scores by timepoint (95% confidence interval; n under each point)",
                         "Figure 2. Scores moyens par temps de suivi (intervalle de confiance à 95 % ; n sous "
                         "chaque point)"),
    "no_patients": ("No patient matches these filters.", "Aucun patient ne correspond à ces filtres."),
}

_MONTHS = (
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise UserError(f"language {language!r} is not available; use one of: {', '.join(LANGUAGES)}")
    return language


class Words:
    """The reports' words and number formats in one language."""

    def __init__(self, language: str) -> None:
        self.language = check_language(language)
        self._index = LANGUAGES.index(language)

    def has(self, key: str) -> bool:
        return key in _TEXT

    def __call__(self, key: str, **values: object) -> str:
        text = _TEXT[key][self._index].format(**values)
        return _french_spaces(text) if self.language == "fr" else text

    def plural(self, key: str, n: int) -> str:
        """``key.one`` or ``key.other`` by CLDR's rule for whole numbers (French: 0 and 1 are singular)."""
        one = n == 1 if self.language == "en" else n in (0, 1)
        return self(f"{key}.{'one' if one else 'other'}", n=n)

    def number(self, value: float | None, decimals: int = 1) -> str:
        """``8.4`` in English, ``8,4`` in French; an en dash when there is no number."""
        if value is None:
            return "–"
        text = str(half_up(value, decimals))
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        return text.replace(".", ",") if self.language == "fr" else text

    def plain(self, value: float) -> str:
        """A value as entered (``7``, ``45.5``): no trailing zeros for whole numbers."""
        return self.number(value, 0) if _whole(value) else self.number(value, 1)

    def threshold(self, threshold: Threshold) -> str:
        """``15`` (points) or ``30%`` (of the baseline value)."""
        return self.pct(threshold.value, 0 if _whole(threshold.value) else 1) if threshold.unit == "percent" \
            else self.plain(threshold.value)

    def interval(self, bounds: Sequence[float] | None, *, percent: bool = False) -> str:
        """``[-2.5 to -1.9]`` (``[59.0–71.1%]``); empty when there is none (fewer than two patients)."""
        if not bounds:
            return ""
        low, high = (self.number(bound) for bound in bounds)
        if percent:
            return f"[{low}–{self.pct(bounds[1])}]"
        return f"[{low} {self('to')} {high}]"

    def signed(self, value: float | None, decimals: int = 1) -> str:
        if value is None:
            return "–"
        text = self.number(value, decimals)
        return text if text.startswith("-") or text.strip("0,.") == "" else f"+{text}"

    def pct(self, value: float | None, decimals: int = 1) -> str:
        if value is None:
            return "–"
        return f"{self.number(value, decimals)}{NBSP if self.language == 'fr' else ''}%"

    def mean_range(self, cell: dict) -> str:
        """``8.4 (7–10)``, seed 000's style."""
        if not cell.get("n"):
            return "–"
        return f"{self.number(cell['mean'])} ({self.plain(cell['min'])}–{self.plain(cell['max'])})"

    def mean_sd(self, cell: dict, *, percent: bool = False) -> str:
        """``69.8 ± 9.0`` (``67.6% ± 28.9%``), seed 003's style; no SD when undefined (n = 1)."""
        if not cell.get("n"):
            return "–"
        show = self.pct if percent else self.number
        if cell.get("sd") is None:
            return show(cell["mean"])
        return f"{show(cell['mean'])} ± {show(cell['sd'])}"

    def count_pct(self, cell: dict) -> str:
        """``60 (54.1%)``; a dash when nobody's value is known (no denominator), as for means."""
        if cell.get("pct") is None:
            return f"{cell['n']}" if cell.get("n") else "–"
        return f"{cell['n']} ({self.pct(cell['pct'])})"

    def count_pct_ci(self, n: int | None, pct: float | None, ci95: Sequence[float] | None) -> str:
        """``147 (65.3%) [58.9–71.1%]``: a responder count, its share and the share's 95% interval."""
        text = self.count_pct({"n": n, "pct": pct})
        return f"{text} {self.interval(ci95, percent=True)}" if ci95 else text

    def p_value(self, p: float | None) -> str:
        """As journals print them: ``p<0.001``, ``p>0.99``, else three decimals (``p=0.023``), and four
        where three would carry a p below 0.05 up to it (0.0496 is ``p=0.0496``, never ``p=0.050``)."""
        if p is None:
            return "–"
        if p < 0.001:
            return f"p<{self.number(0.001, 3)}"
        if p > 0.99:
            return f"p>{self.number(0.99, 2)}"
        decimals = 4 if p < 0.05 <= float(half_up(p, 3)) else 3
        return f"p={self.number(p, decimals)}"

    def date(self, day: dt.date | None) -> str:
        if day is None:
            return "–"
        return f"{day.day} {_MONTHS[self._index][day.month - 1]} {day.year}"

    def moment(self, when: dt.datetime) -> str:
        return f"{self.date(when.date())} {when:%H:%M}"


def _french_spaces(text: str) -> str:
    """French typography: a non-breaking space before %, : and ; so they never start a line."""
    for mark in ("%", ":", ";"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text


def _whole(value: float) -> bool:
    """True for 56.00000000000001 too: ODI arithmetic leaves such crumbs."""
    return abs(value - round(value)) < 1e-9
