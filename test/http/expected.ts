// The demo documents exactly as the API must return them (never with a password).
export const ANA_PUBLIC = {
  id: 'ESPGNU777ORG',
  name: 'Ana',
  lastname: 'Betz',
  gender: 'f',
  dob: '1978-04-21',
  marital_status: 's',
  ethnicity: 'european',
  education: 'tertiary',
  profession: 'Teacher',
  active: true,
  roles: ['end_user'],
};
export const CAMERON_PUBLIC = {
  id: 'ITAPYT999HON',
  name: 'Cameron',
  lastname: 'Cordara',
  gender: 'm',
  dob: '1985-10-04',
  marital_status: 'm',
  ethnicity: 'latino',
  education: 'tertiary',
  profession: 'Family physician',
  active: true,
  roles: ['end_user', 'health_professional'],
};
export const ROOT_PUBLIC = {
  id: 'ARGBUE111FAV',
  name: 'Admin',
  lastname: 'Root',
  gender: 'm',
  dob: '1970-01-01',
  marital_status: 's',
  ethnicity: 'latino',
  education: 'tertiary',
  profession: 'System administrator',
  active: true,
  roles: ['root'],
};
export const ANA_BIRTH_ID = 'a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01';
export const ANA_CERTIFICATE_ID = 'c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02';
export const ANA_BIRTH = {
  id: ANA_BIRTH_ID,
  book: 'ESPGNU777ORG',
  page_date: '1978-04-21T09:30:00',
  age: '0y 0m 0d',
  page_type: 'medical',
  medical_context: 'birth',
  health_condition_text: 'Single spontaneous delivery',
  health_condition_code: 'O80',
  relevance: 'important',
  summary: 'Born at Milano General Hospital, 3.2 kg, Apgar 9/10',
  info: 'Uncomplicated vaginal delivery at term. Healthy newborn girl.',
  node: 'Milano General Hospital',
  active: true,
};
export const ANA_CERTIFICATE = {
  id: ANA_CERTIFICATE_ID,
  book: 'ESPGNU777ORG',
  page_date: '1978-04-24T11:00:00',
  age: '0y 0m 3d',
  page_type: 'social',
  medical_context: '',
  health_condition_text: '',
  health_condition_code: '',
  relevance: 'important',
  summary: 'Birth certificate',
  info: 'Birth registered at Milano City Hall',
  node: 'Milano City Hall',
  active: true,
};
export const ANA_PICTURE_ID = '5b9c7f1e-8d2a-4e6b-9f3c-1a2b3c4d5e03';
export const ANA_PICTURE_HASH =
  'cfdabc8d58411155db36e7889ebbe7ed9cc68533bdb3014d331440170a1404ced4e141b486a765de601a59eec9c2f9d7150eb04024c910fb51246f793f3f5739';
