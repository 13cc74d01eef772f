-- A supervision letter's number is allocated (and the office's sequence row released) in a short transaction; the
-- .docx is built afterwards and stored in a second step, so letters of one office no longer queue behind each other's
-- rendering. A row without content is a letter whose document is still being (or must be) built.
alter table supervision_letters alter column content drop not null;
