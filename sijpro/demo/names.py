"""Names for synthetic patients: common French and English names, bundled so no download is needed.

The lists are common enough that no one is singled out, and they carry the accents, apostrophes and
hyphens real records have (Hélène, Lefèvre, O'Brien, Jean-Luc), so every screen, PDF and export is
exercised with them.
"""

from __future__ import annotations

import random

from sijpro.records import Sex

FRENCH_FAMILY = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure",
    "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gagnon",
    "Côté", "Bouchard", "Pelletier", "Lévesque", "Bélanger", "Tremblay", "Ouellet", "Paquette",
    "Desjardins", "Saint-Pierre", "Lemaître", "Aubert", "Brunet", "Da Silva", "N'Diaye", "Benoît",
)
FRENCH_GIVEN_F = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine", "Monique", "Valérie",
    "Sandrine", "Véronique", "Hélène", "Martine", "Brigitte", "Patricia", "Chantal", "Céline", "Sophie",
    "Anne", "Dominique", "Josiane", "Danielle", "Ginette", "Geneviève", "Élodie", "Aurélie", "Mireille",
    "Marie-Claude", "Josée", "Solène", "Agnès", "Noëlle", "Béatrice", "Odile", "Lucie", "Claire",
)
FRENCH_GIVEN_M = (
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre", "Christian",
    "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Pascal", "Daniel", "Thierry", "Gérard", "Bernard",
    "Jean-Luc", "Jean-Pierre", "Olivier", "Sébastien", "Yves", "Régis", "François", "Hervé", "André",
    "Jacques", "Benoît", "Gilles", "Rémi", "Jérôme", "Didier", "Marc-André", "Denis",
)
ENGLISH_FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Mitchell", "Campbell",
    "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris",
    "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Kelly", "Howard",
    "O'Brien", "MacDonald", "McKenzie", "Fraser", "Wong", "Patel", "Nguyen", "Garcia", "Lopez", "Hughes",
)
ENGLISH_GIVEN_F = (
    "Mary", "Patricia", "Linda", "Barbara", "Elizabeth", "Jennifer", "Susan", "Margaret", "Dorothy", "Lisa",
    "Nancy", "Karen", "Betty", "Helen", "Sandra", "Donna", "Carol", "Ruth", "Sharon", "Michelle", "Laura",
    "Sarah", "Kimberly", "Deborah", "Jessica", "Shirley", "Cynthia", "Angela", "Melissa", "Brenda", "Amy",
    "Anna", "Rebecca", "Virginia", "Kathleen", "Pamela", "Joan", "Judith", "Mary-Ellen", "Gwendolyn",
)
ENGLISH_GIVEN_M = (
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Charles", "Joseph", "Thomas",
    "Christopher", "Daniel", "Paul", "Mark", "Donald", "George", "Kenneth", "Steven", "Edward", "Brian",
    "Ronald", "Anthony", "Kevin", "Jason", "Gary", "Timothy", "Jeffrey", "Frank", "Scott", "Eric",
    "Stephen", "Andrew", "Raymond", "Gregory", "Patrick", "Dennis", "Walter", "Peter", "Harold", "Douglas",
)

NAMES = {
    "fr": (FRENCH_FAMILY, FRENCH_GIVEN_F, FRENCH_GIVEN_M),
    "en": (ENGLISH_FAMILY, ENGLISH_GIVEN_F, ENGLISH_GIVEN_M),
}

SURGEONS = {
    "lateral": ("Dr Hélène Rochefort", "Dr Marc Lavoie", "Dr Sarah Whitfield"),
    "posterior": ("Dr Daniel Okafor", "Dr Catherine Brennan", "Dr Marc Lavoie"),
}
"""A few surgeons per approach; one operates both ways, as in a real department."""

DEVICES = {
    "lateral": ("iFuse-3D (SI-BONE)", "iFuse (SI-BONE)", "Rialto (Medtronic)"),
    "posterior": ("LinQ (PainTEQ)", "Catamaran (Tenon Medical)"),
}


def demo_patient_names(rng: random.Random, sex: Sex, language: str) -> tuple[str, str]:
    """(family name, given name) typical of the patient's language; one in eight is from the other
    language's lists, as in a bilingual city. ``X`` draws a given name from either sex's list."""
    if rng.random() < 0.125:
        language = "en" if language == "fr" else "fr"
    family, given_f, given_m = NAMES[language]
    pool = given_f if sex == "F" else given_m if sex == "M" else given_f + given_m
    return rng.choice(family), rng.choice(pool)
