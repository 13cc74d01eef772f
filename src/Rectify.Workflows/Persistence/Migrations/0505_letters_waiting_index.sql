-- Supervision-letter escalations still waiting for a number, in the order they opened: the letter numbering batch
-- (SupervisionLetters.NumberAsync) reads the next few hundred of an office from here instead of scanning every
-- escalation. escalations.letter_number is set in the transaction that numbers the letter.
create index escalations_letter_waiting on escalations(opened_at, id)
    where level = 'supervisionLetter' and letter_number is null and resolved_at is null;
